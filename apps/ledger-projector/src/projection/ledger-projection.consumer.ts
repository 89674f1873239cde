import { ledgerInputTopics, parseLedgerInput, Topics } from '@earnings/contracts';
import { LedgerEvent } from '@earnings/domain';
import { ApplyingHealth, Metrics } from '@earnings/service-shell';
import { Consumer, createConsumer, DeadLetter, DeadLetterSender, EachBatchPayload, Kafka, KafkaMessage, reportConsumerHealth } from '@earnings/kafka';
import type { Logger } from 'pino';
import { ChunkApplier, RefusedEvent, RetryPolicy, statementOf, sqlStateOf } from './chunk-applier';
import { ChunkOutcome, LedgerStore, OffsetEvent, OffsetGapError, PartitionChunk, ProjectionSwitchedError } from './ledger-store';

export interface ProjectionConsumerOptions {
  groupId: string;
  chunkEventsMax: number;
  fetchWaitMsMax: number;
  /** Bytes one fetch may bring per partition: a chunk can only be as big as the batch it is cut from. */
  fetchBytesPerPartition: number;
  sessionTimeoutMs: number;
  /**
   * Partitions applied at the same time, each in its own transaction: while one waits on
   * PostgreSQL another parses and plans. Partitions are keyed by AUI, so they rarely touch the
   * same rows, and the store locks rows in one order so they cannot deadlock.
   */
  partitionsConcurrently: number;
  /**
   * Live: messages that fail their schema or that PostgreSQL refuses go to the dead-letter topic.
   * A rebuild says no, as the live projector already sent them; it skips them all the same.
   */
  deadLetterInvalid: boolean;
  /** Waits between attempts at a chunk that failed for a transient reason (the database restarting, a lost connection). */
  transientRetry?: RetryPolicy;
  /** Where the consumer reports whether it is applying, for readiness. A rebuild has none. */
  health?: ApplyingHealth;
  /**
   * Per `topic/partition`, the offset to stop before (exclusive). A rebuild stops at the end
   * offsets taken when it started; a partition that reaches its limit is paused. Absent: no limit.
   */
  offsetLimits?: ReadonlyMap<string, bigint>;
  /** Called (once) when the store refused a chunk because readers moved to another schema. */
  onProjectionSwitched?: (error: ProjectionSwitchedError) => void;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export const consumedTopics = [...ledgerInputTopics];

/** From 200 ms up to 30 s between attempts: quick over a blip, gentle on a database that is down for minutes. */
const defaultTransientRetry: RetryPolicy = { delayMsFirst: 200, delayMsMax: 30_000 };

/**
 * Reads commission-observed and payout-executed and hands each chunk to the store, which
 * applies it in one transaction with its offset. Offsets are resolved in kafkajs only after
 * that commit; Kafka's own committed offsets are a convenience (lag monitoring), the ones
 * in PostgreSQL are the record.
 */
export class LedgerProjectionConsumer {
  private readonly consumer: Consumer;
  private readonly deadLetters: DeadLetterSender;
  private readonly eventsApplied;
  private readonly duplicates;
  private readonly deadLettered;
  private readonly chunkRetries;
  private readonly chunkSeconds;
  private readonly reattributed;
  private switched = false;

  constructor(
    kafka: Kafka,
    private readonly store: LedgerStore,
    private readonly options: ProjectionConsumerOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.consumer = createConsumer(kafka, { groupId: options.groupId, sessionTimeoutMs: options.sessionTimeoutMs, maxWaitTimeInMs: options.fetchWaitMsMax, maxBytesPerPartition: options.fetchBytesPerPartition });
    this.deadLetters = new DeadLetterSender(kafka, Topics.commissionObservedDeadLetter);
    this.eventsApplied = metrics.counter('ledger_events_applied_total', 'Events that changed the ledger', ['topic']);
    this.duplicates = metrics.counter('ledger_events_duplicate_total', 'Observations with an equal or older modified date, and repeated payouts');
    this.deadLettered = metrics.counter('ledger_events_dead_lettered_total', 'Messages sent to the dead-letter topic (or skipped by a rebuild), by why', ['reason']);
    this.chunkRetries = metrics.counter('ledger_chunk_retries_total', 'Chunks retried after a transient failure');
    this.chunkSeconds = metrics.histogram('ledger_chunk_apply_duration_seconds', 'Seconds to apply one chunk (its transaction, retries and dead letters included)', ['topic'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    this.reattributed = metrics.counter('ledger_reattributed_payable_total', 'Payable money a newer version moved from one real user to another (the first may have been paid it: a clawback), by unit', ['unit']);
    this.reportHealth();
  }

  private reportHealth(): void {
    if (this.options.health) reportConsumerHealth(this.consumer, this.options.health);
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

  /** The next offset to apply per `topic/partition`, as the projection stored it: what readiness measures lag against. */
  async storedNextOffsets(): Promise<Map<string, bigint>> {
    const stored = await this.store.storedOffsets(consumedTopics);
    return new Map(stored.map((row) => [partitionKey(row.topic, row.partition), BigInt(row.nextOffset)]));
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

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause } = payload;
    const limit = this.options.offsetLimits?.get(partitionKey(batch.topic, batch.partition));
    const wanted = limit === undefined ? batch.messages : batch.messages.filter((message) => BigInt(message.offset) < limit);
    for (let start = 0; start < wanted.length; start += this.options.chunkEventsMax) {
      if (!isRunning() || isStale() || this.switched) return;
      const messages = wanted.slice(start, start + this.options.chunkEventsMax);
      const events = await this.parseOrDeadLetter(batch.topic, batch.partition, messages);
      const lastOffset = messages[messages.length - 1].offset;
      const chunk: PartitionChunk = { topic: batch.topic, partition: batch.partition, events, firstOffset: messages[0].offset, lastOffset };
      const stopTimer = this.chunkSeconds.startTimer({ topic: batch.topic });
      const outcome = await this.applyOrNoticeSwitch(chunk, messages, payload);
      stopTimer();
      if (outcome === null) return;
      this.options.health?.partitionApplied(partitionKey(batch.topic, batch.partition));
      resolveOffset(lastOffset);
      this.eventsApplied.inc({ topic: batch.topic }, outcome.applied);
      this.duplicates.inc(outcome.duplicates);
      // A metric, not money: a JS number is right here.
      for (const moved of outcome.reattributedPayable) this.reattributed.inc({ unit: moved.unit }, Number(moved.amount));
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }] }] });
      await heartbeat();
    }
    if (wanted.length < batch.messages.length) pause();
  }

  /** Null when the chunk was not (wholly) applied: readers moved to another schema, the offsets need a seek, or the partition moved on. */
  private async applyOrNoticeSwitch(chunk: PartitionChunk, messages: KafkaMessage[], payload: EachBatchPayload): Promise<ChunkOutcome | null> {
    const { topic, partition } = chunk;
    try {
      return await this.chunkApplier(messages, payload).apply(chunk);
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

  /** The store, the dead-letter topic and this batch's liveness, as the applier needs them. */
  private chunkApplier(messages: KafkaMessage[], { heartbeat, isRunning, isStale }: EachBatchPayload): ChunkApplier {
    return new ChunkApplier({
      applyChunk: (chunk) => this.store.applyChunk(chunk),
      // Looked up only for a refused event (rare): no map per chunk.
      deadLetter: (chunk, refused) => this.deadLetterRefused(chunk, refused, messages.find((message) => message.offset === refused.item.offset)),
      retrying: (chunk, error, attempt, delayMs) => this.noteRetry(chunk, error, attempt, delayMs),
      stillOwned: () => isRunning() && !isStale() && !this.switched,
      pause: async (delayMs) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await heartbeat();
      },
    }, this.options.transientRetry ?? defaultTransientRetry);
  }

  /** Logs the chunk's range and the statement, never the chunk's parameters (user ids and amounts, kilobytes of them). */
  private noteRetry(chunk: PartitionChunk, error: unknown, attempt: number, delayMs: number): void {
    const { topic, partition, firstOffset, lastOffset } = chunk;
    const problem = firstLine(error instanceof Error ? error.message : String(error));
    this.chunkRetries.inc();
    this.options.health?.partitionFailing(partitionKey(topic, partition), problem, Date.now());
    this.logger.warn({ topic, partition, firstOffset, lastOffset, attempt, delayMs, sqlState: sqlStateOf(error), statement: statementOf(error), problem }, 'could not apply a chunk; retrying it');
  }

  /** PostgreSQL will never accept this event: to the dead-letter topic (live only), logged with its key and nothing else of it. */
  private async deadLetterRefused(chunk: PartitionChunk, { item, refusal }: RefusedEvent, message: KafkaMessage | undefined): Promise<void> {
    const reason = `PostgreSQL refused it: ${refusal.sqlState} ${refusal.message}`;
    this.logger.error(
      { topic: chunk.topic, partition: chunk.partition, offset: item.offset, ...eventKeyOf(item.event), sqlState: refusal.sqlState, statement: refusal.statement, deadLettered: this.options.deadLetterInvalid },
      'PostgreSQL refused an event; it is set aside and the partition moves on',
    );
    if (this.options.deadLetterInvalid && message) {
      await this.deadLetters.send([{ topic: chunk.topic, partition: chunk.partition, offset: item.offset, key: message.key, value: message.value, headers: message.headers, reason }]);
    }
    this.deadLettered.inc({ reason: 'refused-by-database' });
  }

  /** A message that fails its schema goes to the dead-letter topic with the reason; the partition keeps moving. */
  private async parseOrDeadLetter(topic: string, partition: number, messages: KafkaMessage[]): Promise<OffsetEvent[]> {
    const events: OffsetEvent[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of messages) {
      const parsed: { ok: true; value: LedgerEvent } | { ok: false; reason: string } =
        parseLedgerInput(topic, message.value);
      if (parsed.ok) events.push({ offset: message.offset, event: parsed.value });
      else rejected.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers, reason: parsed.reason });
    }
    if (rejected.length === 0) return events;
    if (this.options.deadLetterInvalid) await this.deadLetters.send(rejected);
    this.deadLettered.inc({ reason: 'schema-invalid' }, rejected.length);
    for (const { offset, reason } of rejected) this.logger.warn({ topic, partition, offset, reason, deadLettered: this.options.deadLetterInvalid }, 'message fails its schema; set aside');
    return events;
  }
}

/** Enough to find the event and its owner, and nothing more of what it says. */
function eventKeyOf(event: LedgerEvent): Record<string, string> {
  const fields = event as unknown as Record<string, unknown>;
  const key: Record<string, string> = { eventType: String(fields.type) };
  for (const name of ['aui', 'source', 'commissionId', 'observationId', 'payoutId']) {
    if (typeof fields[name] === 'string') key[name] = (fields[name] as string).slice(0, 200);
  }
  return key;
}

const firstLine = (text: string): string => text.split('\n')[0].slice(0, 500);
