import { parseCommissionObserved, parsePayoutExecuted, Topics } from '@earnings/contracts';
import { LedgerEvent } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { createIdempotentProducer } from '@earnings/kafka';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { LedgerStore, OffsetEvent, OffsetGapError, ProjectionSwitchedError } from './ledger-store';

export interface ProjectionConsumerOptions {
  groupId: string;
  chunkEventsMax: number;
  fetchWaitMsMax: number;
  sessionTimeoutMs: number;
  /**
   * Partitions applied at the same time, each in its own transaction: while one waits on
   * PostgreSQL another parses and plans. Partitions are keyed by AUI, so they rarely touch the
   * same rows, and the store locks rows in one order so they cannot deadlock.
   */
  partitionsConcurrently: number;
  /** Live: invalid messages go to the dead-letter topic. A rebuild says no, as the live projector already sent them. */
  deadLetterInvalid: boolean;
  /**
   * Per `topic/partition`, the offset to stop before (exclusive). A rebuild stops at the end
   * offsets taken when it started; a partition that reaches its limit is paused. Absent: no limit.
   */
  offsetLimits?: ReadonlyMap<string, bigint>;
  /** Called (once) when the store refused a chunk because readers moved to another schema. */
  onProjectionSwitched?: (error: ProjectionSwitchedError) => void;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export const consumedTopics = [Topics.commissionObserved, Topics.payoutExecuted];

/**
 * Reads commission-observed and payout-executed and hands each chunk to the store, which
 * applies it in one transaction with its offset. Offsets are resolved in kafkajs only after
 * that commit; Kafka's own committed offsets are a convenience (lag monitoring), the ones
 * in PostgreSQL are the record.
 */
export class LedgerProjectionConsumer {
  private readonly consumer: Consumer;
  private readonly deadLetters: Producer;
  private readonly eventsApplied;
  private readonly duplicates;
  private readonly deadLettered;
  private switched = false;

  constructor(
    kafka: Kafka,
    private readonly store: LedgerStore,
    private readonly options: ProjectionConsumerOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: 60_000,
      // A third of the session, as Kafka advises, so two missed heartbeats do not expel a live member.
      heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3)),
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: options.fetchWaitMsMax,
      allowAutoTopicCreation: false,
    });
    this.deadLetters = createIdempotentProducer(kafka);
    this.eventsApplied = metrics.counter('ledger_events_applied_total', 'Events that changed the ledger', ['topic']);
    this.duplicates = metrics.counter('ledger_events_duplicate_total', 'Observations with an equal or older modified date, and repeated payouts');
    this.deadLettered = metrics.counter('ledger_events_dead_lettered_total', 'Messages sent to the dead-letter topic');
  }

  async start(): Promise<void> {
    await this.deadLetters.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: consumedTopics, fromBeginning: true });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => void this.seekToStoredOffsets());
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  /** Lets paused partitions continue, after a rebuild raised its offset limits. */
  resumeAll(): void {
    this.consumer.resume(consumedTopics.map((topic) => ({ topic })));
  }

  /** Finishes the chunk in progress (kafkajs waits for eachBatch), commits, and leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.deadLetters.disconnect();
  }

  private async seekToStoredOffsets(): Promise<void> {
    try {
      for (const stored of await this.store.storedOffsets(consumedTopics)) {
        this.consumer.seek({ topic: stored.topic, partition: stored.partition, offset: stored.nextOffset });
      }
    } catch (error) {
      // Not fatal: the store skips anything below its stored offsets anyway.
      this.logger.warn({ err: error }, 'could not seek to the stored offsets; relying on the store to skip applied messages');
    }
  }

  private async consumeBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const limit = this.options.offsetLimits?.get(partitionKey(batch.topic, batch.partition));
    const wanted = limit === undefined ? batch.messages : batch.messages.filter((message) => BigInt(message.offset) < limit);
    for (let start = 0; start < wanted.length; start += this.options.chunkEventsMax) {
      if (!isRunning() || isStale() || this.switched) return;
      const messages = wanted.slice(start, start + this.options.chunkEventsMax);
      const events = await this.parseOrDeadLetter(batch.topic, batch.partition, messages);
      const lastOffset = messages[messages.length - 1].offset;
      const outcome = await this.applyOrNoticeSwitch(batch.topic, batch.partition, events, messages[0].offset, lastOffset);
      if (outcome === null) return;
      resolveOffset(lastOffset);
      this.eventsApplied.inc({ topic: batch.topic }, outcome.applied);
      this.duplicates.inc(outcome.duplicates);
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }] }] });
      await heartbeat();
    }
    if (wanted.length < batch.messages.length) pause();
  }

  /** Null when readers moved to another schema: nothing of the chunk was written, and this consumer stops applying. */
  private async applyOrNoticeSwitch(topic: string, partition: number, events: OffsetEvent[], firstOffset: string, lastOffset: string) {
    try {
      return await this.store.applyChunk({ topic, partition, events, firstOffset, lastOffset });
    } catch (error) {
      if (error instanceof OffsetGapError) {
        this.logger.warn({ topic, partition, from: String(error.firstOffset), to: String(error.nextOffset) }, 'fetched past the stored offset; seeking back');
        this.consumer.seek({ topic, partition, offset: error.nextOffset.toString() });
        return null;
      }
      if (!(error instanceof ProjectionSwitchedError)) throw error;
      if (!this.switched) {
        this.switched = true;
        this.logger.info({ from: error.fromSchema, to: error.toSchema }, 'projection switched; this consumer stops applying');
        // Not awaited: stopping the consumer waits for this very eachBatch to return.
        setImmediate(() => this.options.onProjectionSwitched?.(error));
      }
      return null;
    }
  }

  /** A message that fails its schema goes to the dead-letter topic with the reason; the partition keeps moving. */
  private async parseOrDeadLetter(topic: string, partition: number, messages: KafkaMessage[]): Promise<OffsetEvent[]> {
    const events: OffsetEvent[] = [];
    const rejected: { message: KafkaMessage; reason: string }[] = [];
    for (const message of messages) {
      const parsed: { ok: true; value: LedgerEvent } | { ok: false; reason: string } =
        topic === Topics.payoutExecuted ? parsePayoutExecuted(message.value) : parseCommissionObserved(message.value);
      if (parsed.ok) events.push({ offset: message.offset, event: parsed.value });
      else rejected.push({ message, reason: parsed.reason });
    }
    if (rejected.length > 0 && !this.options.deadLetterInvalid) {
      this.deadLettered.inc(rejected.length);
    } else if (rejected.length > 0) {
      await this.deadLetters.send({
        topic: Topics.commissionObservedDeadLetter,
        acks: -1,
        messages: rejected.map(({ message, reason }) => ({
          key: message.key,
          value: message.value,
          headers: { ...message.headers, dlq_reason: reason, dlq_topic: topic, dlq_partition: String(partition), dlq_offset: message.offset },
        })),
      });
      this.deadLettered.inc(rejected.length);
      for (const { message, reason } of rejected) this.logger.warn({ topic, partition, offset: message.offset, reason }, 'message dead-lettered');
    }
    return events;
  }
}
