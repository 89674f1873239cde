import { CommissionObserved, cloudEventHeaders, checkCommissionObserved, Topics } from '@earnings/contracts';
import { BatchingProducer, Message, TopicMessages } from '@earnings/kafka';
import { IngestException } from '../errors/ingest.exception';

/** Headers never copied into the raw-inbound topic: they prove or grant access. */
const secretHeaders = new Set(['x-wf-signature', 'x-webhook-signature', 'authorization', 'cookie', 'x-firstpromoter-token', 'proxy-authorization']);

export interface InboundDelivery {
  source: 'wildfire' | 'firstpromoter';
  endpoint: string;
  deliveryId: string | null;
  receivedAt: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received (or already redacted, for payloads carrying secrets). */
  body: Buffer;
}

/** A delivery its controller authenticated: the exact bytes and where they came from. */
export type ReceivedDelivery = Pick<InboundDelivery, 'body' | 'headers' | 'endpoint' | 'receivedAt'>;

/**
 * Writes the raw copy and the observations of one delivery to Kafka and resolves only when the
 * broker acknowledged all of them (acks=all): callers answer 2xx only after that.
 */
export class InboundPublisher {
  constructor(private readonly producer: BatchingProducer) {}

  async publish(delivery: InboundDelivery, observations: CommissionObserved[]): Promise<void> {
    for (const observation of observations) {
      const checked = checkCommissionObserved(observation);
      // A normaliser producing an invalid event is a programmer error, not partner input.
      if (!checked.ok) throw new Error(`normaliser produced an invalid CommissionObserved: ${checked.reason}`);
    }
    const topicMessages: TopicMessages[] = [{ topic: Topics.rawInbound, messages: [rawMessage(delivery, observations[0]?.aui)] }];
    if (observations.length > 0) topicMessages.push({ topic: Topics.commissionObserved, messages: observations.map(observationMessage) });
    try {
      await this.producer.send(topicMessages);
    } catch (error) {
      throw new IngestException('kafka-unavailable', `could not record the delivery durably, try again: ${(error as Error).message}`);
    }
  }
}

function rawMessage(delivery: InboundDelivery, aui: string | undefined): Message {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    if (value === undefined || secretHeaders.has(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const value = {
    source: delivery.source,
    endpoint: delivery.endpoint,
    deliveryId: delivery.deliveryId,
    receivedAt: delivery.receivedAt,
    headers,
    body: delivery.body.toString('utf8'),
  };
  return {
    key: aui ?? delivery.deliveryId ?? delivery.source,
    value: JSON.stringify(value),
    headers: cloudEventHeaders({ id: delivery.deliveryId ?? `${delivery.source}:${delivery.receivedAt}`, type: 'RawInboundReceived', source: `/ingest/${delivery.source}`, time: delivery.receivedAt }),
  };
}

function observationMessage(observation: CommissionObserved): Message {
  return {
    key: observation.aui,
    value: JSON.stringify(observation),
    headers: cloudEventHeaders({ id: observation.observationId, type: 'CommissionObserved', source: `/ingest/${observation.source}/${observation.channel}`, time: observation.observedAt }),
  };
}
