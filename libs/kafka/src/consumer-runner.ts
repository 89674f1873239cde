import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { createConsumer } from './consumer-factory';
import { ConsumerHealthReport, reportConsumerHealth } from './consumer-health';
import { DeadLetter, DeadLetterSender } from './dead-letter';
import { KafkaClient, kafkajsOf } from './client-handle';
import { MessageHeaders } from './messages';
import { readEndOffsets } from './topic-offsets';

/** One message as a handler receives it: enough to apply it, and to dead-letter it as it came. */
export interface ConsumedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeaders;
}

/** A message that passed the runner's `parse`, with what it says. */
export interface ParsedMessage<T> extends ConsumedMessage {
  event: T;
}

/**
 * Messages of one partition, in partition order. `firstOffset` to `lastOffset` is the whole range
 * the batch covers, messages set aside included (so `messages` may be shorter, or empty): a
 * consumer that stores its offsets stores past those too.
 */
export interface ConsumedBatch<M = ConsumedMessage> {
  topic: string;
  partition: number;
  messages: M[];
  firstOffset: string;
  lastOffset: string;
}

/** The message values of a batch as text, in partition order. */
export function batchValues(batch: ConsumedBatch<ConsumedMessage>): string[] {
  return batch.messages.map((message) => message.value?.toString('utf8') ?? '');
}

/**
 * Where a consumer's position lives:
 * - `of-record`: the service stores its next offsets itself (PostgreSQL, in the transaction that
 *   applies the messages). On every join the runner seeks each partition to them; Kafka's
 *   committed offsets are only told what was applied (lag monitoring reads them). The handler
 *   marks what it applied with `control.done`.
 * - `committed`: Kafka's committed offsets are the record; a batch is committed once its handler
 *   returns (at least once: a crash before the commit delivers it again).
 * - `live`: a group of its own for this process, from the end of the topic, nothing committed:
 *   a live feed of what happens from now on (every process sees every partition).
 * - `replay`: from offset zero, nothing committed; a message is delivered once per run even when
 *   kafkajs restarts the consumer from the beginning.
 */
export type OffsetPolicy =
  | { kind: 'of-record'; storedOffsets: () => Promise<readonly StoredOffset[]> }
  | { kind: 'committed'; fromBeginning: boolean }
  | { kind: 'live' }
  | { kind: 'replay' };

export interface StoredOffset {
  topic: string;
  partition: number;
  nextOffset: string;
}

/** Readiness as the runner reports it: joined, crashed or stopped, and (optionally) partitions applying or failing. */
export interface RunnerHealthReport extends ConsumerHealthReport {
  partitionApplied?(partition: string): void;
  partitionFailing?(partition: string, reason: string, nowMs: number): void;
}

/** What a message that fails its schema, or that the handler cannot apply, becomes. */
export interface SetAside {
  offset: string;
  reason: string;
}

export interface ConsumerRunOptions<T> {
  /** The group; for the `live` policy, the start of a group id made unique per process. */
  groupId: string;
  topics: readonly string[];
  offsets: OffsetPolicy;
  /** After a crash, the group waits this long for the dead member. */
  sessionTimeoutMs: number;
  maxBytesPerPartition?: number;
  maxWaitTimeInMs?: number;
  /** Partitions handled at the same time (default 1). */
  partitionsConcurrently?: number;
  /**
   * Turns a message into what the handler receives. A message it refuses is set aside: sent to
   * `deadLetters.topic` (acks=all, before the handler runs, so before the offset can move past it),
   * or only skipped when `deadLetters.send` is false. Absent: every message is delivered raw.
   */
  parse?: (topic: string, value: Buffer | null) => { ok: true; value: T } | { ok: false; reason: string };
  deadLetters?: { topic: string; send: boolean };
  /** Told of every message set aside (after it was dead-lettered), for metrics. */
  onSetAside?: (batch: { topic: string; partition: number }, setAside: readonly SetAside[], why: 'schema-invalid' | 'refused') => void;
  /**
   * Per topic and partition, the offset to stop before (read at every batch, so it may rise). A
   * partition that reaches it is paused until `resume()`; messages at or past it are not delivered.
   */
  stopBefore?: (topic: string, partition: number) => bigint | undefined;
  health?: RunnerHealthReport;
  /** kafkajs gave up restarting the consumer after a crash: nothing more will be delivered. */
  onGaveUp?: (error: Error) => void;
  logger: Logger;
}

/** What a handler may do while it works on a batch. */
export interface BatchControl {
  /** False once the consumer stops, or the partition moved to another member: apply nothing more. */
  stillOwned(): boolean;
  /**
   * Marks the batch's messages through `offset` as done. The `of-record` policy marks its own
   * progress this way, chunk by chunk, and each mark also tells the group this member is alive.
   */
  done(offset: string): Promise<void>;
  /** Waits `delayMs`, then heartbeats: a handler backing off keeps its partitions. */
  wait(delayMs: number): Promise<void>;
  /** Sets one delivered message aside: to the dead-letter topic (when the runner sends letters), counted and logged. */
  deadLetter(message: ConsumedMessage, reason: string): Promise<void>;
}

export type BatchHandler<M> = (batch: ConsumedBatch<M>, control: BatchControl) => Promise<void>;

/**
 * Thrown by an `of-record` handler when the batch starts past the offset it stored: Kafka's
 * position is ahead of the record (after a rebuild switched schema, say). The runner seeks the
 * partition back to `nextOffset`, and the messages come again.
 */
export class BehindStoredOffsetError extends Error {
  constructor(readonly topic: string, readonly partition: number, readonly nextOffset: bigint, message: string) {
    super(message);
  }
}

export interface RunningConsumer {
  /** The group this consumer joined (for `live`, the one made for this process). */
  readonly groupId: string;
  /** Lets partitions paused at `stopBefore` continue (after it rose). */
  resume(): void;
  /** Finishes the batch in hand (kafkajs waits for the handler), commits, and leaves the group. */
  stop(): Promise<void>;
}

const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;
const firstLine = (text: string): string => text.split('\n')[0].slice(0, 500);

/**
 * The one way a service consumes: the consumer's options, its offset policy, its liveness
 * (readiness follows the group membership and failing batches), pausing at an offset limit,
 * and dead letters, all here. A service hands it a handler of batches and never sees kafkajs.
 * A handler that throws has its batch delivered again (kafkajs retries it) and its partition
 * reported failing meanwhile.
 */
export async function runConsumer<T>(
  client: KafkaClient,
  options: ConsumerRunOptions<T> & { parse: NonNullable<ConsumerRunOptions<T>['parse']> },
  handler: BatchHandler<ParsedMessage<T>>,
): Promise<RunningConsumer>;
export async function runConsumer(client: KafkaClient, options: ConsumerRunOptions<never>, handler: BatchHandler<ConsumedMessage>): Promise<RunningConsumer>;
export async function runConsumer<T>(client: KafkaClient, options: ConsumerRunOptions<T>, handler: BatchHandler<ConsumedMessage> | BatchHandler<ParsedMessage<T>>): Promise<RunningConsumer> {
  const kafka: Kafka = kafkajsOf(client);
  const policy = options.offsets;
  const groupId = policy.kind === 'live' ? `${options.groupId}-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}` : options.groupId;
  const consumer: Consumer = createConsumer(kafka, {
    groupId, sessionTimeoutMs: options.sessionTimeoutMs, maxBytesPerPartition: options.maxBytesPerPartition, maxWaitTimeInMs: options.maxWaitTimeInMs,
  });
  const deadLetters = options.deadLetters?.send ? new DeadLetterSender(client, options.deadLetters.topic) : null;
  const logger = options.logger.child({ consumerGroup: groupId });
  if (options.health) reportConsumerHealth(consumer, options.health);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) options.onGaveUp?.(payload.error);
  });
  // A live feed starts at the ends read before it joins: Kafka's "latest" is resolved only at the
  // first fetch after the join, so what was produced in between would be missed. Once only: a later
  // rebalance keeps the position.
  let liveStart = policy.kind === 'live' ? await readEndOffsets(client, options.topics) : null;
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const [key, offset] of liveStart ?? []) {
      const cut = key.lastIndexOf('/');
      consumer.seek({ topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)), offset: offset.toString() });
    }
    liveStart = null;
    resolve();
  }));
  if (policy.kind === 'of-record') consumer.on(consumer.events.GROUP_JOIN, () => void seekToStored(consumer, policy.storedOffsets, logger));
  /** `replay`: the next offset delivered per partition, so a restart from zero delivers nothing twice. */
  const delivered = new Map<string, bigint>();

  const setAside = async (batch: { topic: string; partition: number }, messages: readonly (ConsumedMessage & SetAside)[], why: 'schema-invalid' | 'refused') => {
    if (messages.length === 0) return;
    // Sent (acks=all) before the offset can move past them: a crash in between sends a letter twice, never loses it.
    if (deadLetters) {
      await deadLetters.send(messages.map((message): DeadLetter => ({
        topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value,
        headers: { ...message.headers, dlq_consumer: groupId }, reason: message.reason,
      })));
    }
    for (const { offset, reason } of messages) {
      logger.warn({ topic: batch.topic, partition: batch.partition, offset, reason: firstLine(reason), deadLettered: deadLetters !== null }, 'message set aside; the partition moves on');
    }
    options.onSetAside?.(batch, messages.map(({ offset, reason }) => ({ offset, reason })), why);
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const key = partitionKey(batch.topic, batch.partition);
    let messages: KafkaMessage[] = batch.messages;
    const limit = options.stopBefore?.(batch.topic, batch.partition);
    if (limit !== undefined) {
      // Offsets grow within a batch: only a batch that ends past the limit needs cutting.
      if (messages.length > 0 && BigInt(messages[messages.length - 1].offset) >= limit) messages = messages.filter((message) => BigInt(message.offset) < limit);
      // Paused before the handler runs: a handler that raises the limit and resumes is not paused after it.
      if (messages.length < batch.messages.length || (messages.length > 0 && BigInt(messages[messages.length - 1].offset) + 1n >= limit)) payload.pause();
    }
    if (policy.kind === 'replay') {
      const next = delivered.get(key) ?? 0n;
      if (messages.length > 0 && BigInt(messages[0].offset) < next) messages = messages.filter((message) => BigInt(message.offset) >= next);
    }
    if (messages.length === 0) return;
    const firstOffset = messages[0].offset;
    const lastOffset = messages[messages.length - 1].offset;
    const consumed = messages.map((message): ConsumedMessage => ({ offset: message.offset, key: message.key ?? null, value: message.value, headers: message.headers ?? {} }));
    let handed: ConsumedMessage[] = consumed;
    if (options.parse) {
      const parsed: ParsedMessage<T>[] = [];
      const refused: (ConsumedMessage & SetAside)[] = [];
      for (const message of consumed) {
        const outcome = options.parse(batch.topic, message.value);
        if (outcome.ok) parsed.push({ ...message, event: outcome.value });
        else refused.push({ ...message, reason: outcome.reason });
      }
      await setAside(batch, refused, 'schema-invalid');
      handed = parsed;
    }
    const done = async (offset: string) => {
      payload.resolveOffset(offset);
      if (policy.kind === 'live' || policy.kind === 'replay') return;
      await payload.commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }] }] });
      // Between the chunks of a long batch: the group hears from this member (kafkajs sends at most one per heartbeat interval).
      if (policy.kind === 'of-record') await payload.heartbeat();
    };
    const control: BatchControl = {
      stillOwned: () => payload.isRunning() && !payload.isStale(),
      done,
      wait: async (delayMs) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await payload.heartbeat();
      },
      deadLetter: (message, reason) => setAside(batch, [{ ...message, reason }], 'refused'),
    };
    try {
      await (handler as BatchHandler<ConsumedMessage>)({ topic: batch.topic, partition: batch.partition, messages: handed, firstOffset, lastOffset }, control);
    } catch (error) {
      if (error instanceof BehindStoredOffsetError && policy.kind === 'of-record') {
        logger.warn({ topic: error.topic, partition: error.partition, from: firstOffset, to: String(error.nextOffset) }, 'fetched past the stored offset; seeking back');
        consumer.seek({ topic: error.topic, partition: error.partition, offset: error.nextOffset.toString() });
        return;
      }
      options.health?.partitionFailing?.(key, firstLine((error as Error).message).slice(0, 300), Date.now());
      throw error;
    }
    if (policy.kind !== 'of-record') await done(lastOffset);
    if (policy.kind === 'replay') delivered.set(key, BigInt(lastOffset) + 1n);
    options.health?.partitionApplied?.(key);
  };

  await deadLetters?.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: policy.kind !== 'live' && (policy.kind !== 'committed' || policy.fromBeginning) });
  await consumer.run({
    autoCommit: policy.kind === 'committed',
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    eachBatch,
  });
  // A live feed promises that what is produced after start() is seen: it has joined by then.
  if (policy.kind === 'live') await joined;
  return {
    groupId,
    resume: () => consumer.resume(options.topics.map((topic) => ({ topic }))),
    stop: async () => {
      await consumer.disconnect();
      await deadLetters?.disconnect();
    },
  };
}

/** The `of-record` seek on join. Not fatal when it fails: the handler skips what its record says was applied. */
async function seekToStored(consumer: Consumer, storedOffsets: () => Promise<readonly StoredOffset[]>, logger: Logger): Promise<void> {
  try {
    for (const stored of await storedOffsets()) consumer.seek({ topic: stored.topic, partition: stored.partition, offset: stored.nextOffset });
  } catch (error) {
    logger.warn({ err: error }, 'could not seek to the stored offsets; relying on the handler to skip applied messages');
  }
}
