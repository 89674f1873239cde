import {
  balanceChangedSchema, commissionObservedSchema, payoutExecutedSchema, payoutFailedSchema, payoutRequestedSchema, payoutReturnedSchema,
  payoutSubmittedSchema, TopicName, Topics, topicSettings,
} from '@earnings/contracts';

/**
 * The AsyncAPI 3.0 document of every topic, built from libs/contracts (topic names, settings,
 * JSON Schemas, CloudEvents types) so it cannot drift: a test rebuilds it and compares it with
 * the checked-in docs/asyncapi/earnings-ledger.asyncapi.yaml.
 */

interface MessageSpec {
  /** The event type; `ce_type` is `dev.earnings-ledger.<type>.v1` (libs/contracts cloudEventHeaders). */
  type: string;
  summary: string;
  payload: object | null;
  /** What the producer sets as `ce_source`. */
  source: string;
}

interface ChannelSpec {
  topic: TopicName;
  description: string;
  /** The AsyncAPI operation: the product sends (partners receive) or the product receives. */
  producedBy: string;
  consumedBy: string[];
  messages: MessageSpec[];
  /** Dead-letter topics carry the original message plus these headers. */
  deadLetter?: true;
  /** What the message key is, when it is not the AUI. */
  key?: string;
}

const auiKey = "The AUI: one user's events stay in order in one partition.";

/** The raw-inbound envelope (apps/ingest/src/publishing/inbound-publisher.ts); described here, not validated: it is a copy for audit. */
const rawInboundEnvelope = {
  type: 'object',
  required: ['source', 'endpoint', 'deliveryId', 'receivedAt', 'headers', 'body'],
  properties: {
    source: { type: 'string' },
    endpoint: { type: 'string' },
    deliveryId: { type: ['string', 'null'] },
    receivedAt: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers, lower-cased, signatures and secrets removed.' },
    body: { type: 'string', description: 'The exact body as UTF-8 text.' },
  },
} as const;

const ceType = (type: string): string => `dev.earnings-ledger.${type}.v1`;

const channels: ChannelSpec[] = [
  {
    topic: Topics.rawInbound,
    description: 'Exact bytes and headers of every inbound callback or webhook, signature headers and secrets removed. Event store (kept forever).',
    producedBy: 'ingest', consumedBy: [], key: 'The AUI of the delivery\'s first commission, else its delivery id, else its source.',
    messages: [{ type: 'RawInboundReceived', summary: 'A delivery as received, in an envelope. Keyed by the AUI of its first commission, else its delivery id, else its source.', payload: rawInboundEnvelope, source: '/ingest/{source}' }],
  },
  {
    topic: Topics.commissionObserved,
    description: 'Immutable observations of a commission version: what a source said at a moment. Event store: the ledger is rebuilt from it.',
    producedBy: 'ingest', consumedBy: ['ledger-projector', 'payout'],
    messages: [{ type: 'CommissionObserved', summary: 'What Wildfire or FirstPromoter said about one commission at one moment.', payload: commissionObservedSchema, source: '/ingest/{source}/{channel}' }],
  },
  {
    topic: Topics.commissionObservedDeadLetter,
    description: 'Messages of the ledger input topics the projector could not apply (schema-invalid, or refused by PostgreSQL for their data), with the reason.',
    producedBy: 'ledger-projector', consumedBy: [], deadLetter: true, key: 'The original message\'s key (the AUI).',
    messages: [{ type: 'DeadLetter', summary: 'The original key, value and headers, untouched, plus the dlq_* headers.', payload: null, source: '/ledger-projector' }],
  },
  {
    topic: Topics.balanceChanged,
    description: "A user's balance in one unit changed: the new figures, with a per-AUI sequence to drop stale or repeated messages. Kept 30 days.",
    producedBy: 'ledger-projector', consumedBy: ['payout', 'query'],
    messages: [{ type: 'BalanceChanged', summary: "A user's new figures in one unit after the ledger applied one or more events.", payload: balanceChangedSchema, source: '/ledger-projector' }],
  },
  {
    topic: Topics.balanceChangedDeadLetter,
    description: 'Balance-changed messages a consumer could not read (schema-invalid), with the reason and the consumer group in dlq_consumer.',
    producedBy: 'payout, query', consumedBy: [], deadLetter: true, key: 'The original message\'s key (the AUI).',
    messages: [{ type: 'DeadLetter', summary: 'The original key, value and headers, untouched, plus the dlq_* headers.', payload: null, source: '/payout' }],
  },
  {
    topic: Topics.payoutExecuted,
    description: 'Money (or a reward) left for a user. Event store.',
    producedBy: 'payout', consumedBy: ['ledger-projector'],
    messages: [{ type: 'PayoutExecuted', summary: 'A payout succeeded: the ledger moves its amount from reserved to paidOut.', payload: payoutExecutedSchema, source: '/payout' }],
  },
  {
    topic: Topics.payoutFailed,
    description: 'A payout the provider refused; the ledger releases its hold. Event store.',
    producedBy: 'payout', consumedBy: ['ledger-projector'],
    messages: [{ type: 'PayoutFailed', summary: 'A payout ended without money leaving.', payload: payoutFailedSchema, source: '/payout' }],
  },
  {
    topic: Topics.payoutLifecycle,
    description: "A payout's other steps on one topic, so one payout's steps stay in order; ce_type names each. Event store.",
    producedBy: 'payout', consumedBy: ['ledger-projector'],
    messages: [
      { type: 'PayoutRequested', summary: 'The payout service holds the amount: the ledger adds it to reserved.', payload: payoutRequestedSchema, source: '/payout' },
      { type: 'PayoutSubmitted', summary: 'The provider accepted the payout and is working on it: still held.', payload: payoutSubmittedSchema, source: '/payout' },
      { type: 'PayoutReturned', summary: 'Money that had left came back: the ledger takes it off paidOut.', payload: payoutReturnedSchema, source: '/payout' },
    ],
  },
];

/** The CloudEvents binary-mode headers every message carries (libs/contracts/src/cloud-events.ts). */
function cloudEventHeadersSchema(message: MessageSpec, deadLetter: boolean): object {
  const headers: Record<string, object> = {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_id: { type: 'string', description: 'Unique per event; the same event sent twice keeps its id.' },
    ce_type: deadLetter ? { type: 'string', description: 'The original message\'s type.' } : { type: 'string', const: ceType(message.type) },
    ce_source: { type: 'string', description: `The producing service, e.g. ${message.source}.` },
    ce_time: { type: 'string', description: 'ISO-8601 UTC.' },
    'content-type': { type: 'string', const: 'application/json' },
    traceparent: { type: 'string', description: 'W3C Trace Context of the producing span, when tracing is on.' },
  };
  if (deadLetter) {
    Object.assign(headers, {
      dlq_reason: { type: 'string', maxLength: 2000, description: 'Why: the schema reason or the PostgreSQL error; never the values.' },
      dlq_topic: { type: 'string', description: 'The topic the message came from; replay by producing it back there with the same key.' },
      dlq_partition: { type: 'string' },
      dlq_offset: { type: 'string' },
      dlq_consumer: { type: 'string', description: 'The consumer group that refused it (balance-changed dead letters).' },
    });
    // The original's headers are kept as they were (a message produced by hand may have none): only the dlq_* ones are certain.
    return { type: 'object', required: ['dlq_reason', 'dlq_topic', 'dlq_partition', 'dlq_offset'], properties: headers };
  }
  return { type: 'object', required: ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time'], properties: headers };
}

/** JSON Schema ids stay in `$id`; AsyncAPI wants a schema object, so each payload is copied as it is. */
function messageObject(message: MessageSpec, channel: ChannelSpec): object {
  const { topic } = channel;
  const deadLetter = channel.deadLetter === true;
  return {
    name: message.type,
    title: message.type,
    summary: message.summary,
    contentType: message.payload === null ? 'application/octet-stream' : 'application/json',
    headers: cloudEventHeadersSchema(message, deadLetter),
    payload: message.payload ?? { description: `The original message's value, byte for byte, as it was on the topic named in dlq_topic (${topic} keeps it).` },
    bindings: { kafka: { key: { type: 'string', description: channel.key ?? auiKey }, bindingVersion: '0.5.0' } },
  };
}

const messageKey = (topic: TopicName, type: string): string => `${channelKey(topic)}.${type}`;
const channelKey = (topic: TopicName): string => topic.replace(/^earnings\./, '').replace(/\.v1$/, '').replace(/[^A-Za-z0-9]+/g, '-');

export function buildAsyncApiDocument(): Record<string, unknown> {
  const settings = new Map(topicSettings(12).map((setting) => [setting.name, setting]));
  const channelObjects: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const channel of channels) {
    const key = channelKey(channel.topic);
    const setting = settings.get(channel.topic);
    if (!setting) throw new Error(`${channel.topic} has no settings in topicSettings`);
    for (const message of channel.messages) messages[messageKey(channel.topic, message.type)] = messageObject(message, channel);
    channelObjects[key] = {
      address: channel.topic,
      title: channel.topic,
      description: `${channel.description} Produced by ${channel.producedBy}${channel.consumedBy.length > 0 ? `; consumed by ${channel.consumedBy.join(', ')}` : ''}.`,
      messages: Object.fromEntries(channel.messages.map((message) => [message.type, { $ref: `#/components/messages/${messageKey(channel.topic, message.type)}` }])),
      bindings: { kafka: { topicConfiguration: topicConfiguration(setting.config), bindingVersion: '0.5.0' } },
    };
    const channelMessages = channel.messages.map((message) => ({ $ref: `#/channels/${key}/messages/${message.type}` }));
    operations[`publish-${key}`] = { action: 'send', title: `${channel.producedBy} sends to ${channel.topic}`, channel: { $ref: `#/channels/${key}` }, messages: channelMessages };
    for (const consumer of channel.consumedBy) {
      operations[`${consumer}-receives-${key}`] = { action: 'receive', title: `${consumer} reads ${channel.topic}`, channel: { $ref: `#/channels/${key}` }, messages: channelMessages };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Earnings Ledger events',
      version: '1.0.0',
      description: 'Every Kafka topic Earnings Ledger reads or writes. Keys are the AUI; values are JSON validated against these schemas on produce and on consume; headers are CloudEvents binary mode. Generated from libs/contracts by `node dist/tools/asyncapi/generate.js`: do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: { kafka: { host: 'kafka-bootstrap:9092', protocol: 'kafka', description: 'Your cluster: KAFKA_BROKERS.' } },
    channels: channelObjects,
    operations,
    components: { messages },
  };
}

/** The subset of Kafka topic settings the AsyncAPI Kafka binding 0.5.0 describes. */
function topicConfiguration(config: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (config['cleanup.policy']) result['cleanup.policy'] = [config['cleanup.policy']];
  if (config['retention.ms']) result['retention.ms'] = Number(config['retention.ms']);
  if (config['retention.bytes']) result['retention.bytes'] = Number(config['retention.bytes']);
  if (config['max.message.bytes']) result['max.message.bytes'] = Number(config['max.message.bytes']);
  return result;
}

/** Topics with no channel here fail the document's test, so a new topic cannot go undocumented. */
export const documentedTopics = (): TopicName[] => channels.map((channel) => channel.topic);
