import { ledgerInputTopics, parseLedgerInput, Topics } from '@earnings/contracts';
import { Backoff, LedgerEvent } from '@earnings/domain';
import { ApplyingHealth, Metrics } from '@earnings/service-shell';
import { BatchControl, ConsumedBatch, KafkaClient, ParsedMessage, runConsumer, RunningConsumer } from '@earnings/kafka';
import type { Logger } from 'pino';
import { ChunkApplier, RefusedEvent, statementOf, sqlStateOf } from './chunk-applier';
import { ChunkOutcome, LedgerStore, OffsetEvent, PartitionChunk, ProjectionSwitchedError } from './ledger-store';

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
  transientRetry?: Backoff;
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
const defaultTransientRetry: Backoff = { firstMs: 200, maxMs: 30_000 };

type LedgerMessage = ParsedMessage<LedgerEvent>;

/**
 * Reads commission-observed and payout-executed and hands each chunk to the store, which
 * applies it in one transaction with its offset: the runner's `of-record` policy (it seeks to
 * the offsets stored in PostgreSQL on every join; Kafka's committed offsets are only told what
 * was applied, for lag monitoring). Messages that fail their schema are set aside by the runner.
 */
export class LedgerProjectionConsumer {
  private running: RunningConsumer | null = null;
  private readonly eventsApplied;
  private readonly duplicates;
  private readonly deadLettered;
  private readonly chunkRetries;
  private readonly chunkSeconds;
  private readonly reattributed;
  private switched = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly store: LedgerStore,
    private readonly options: ProjectionConsumerOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.eventsApplied = metrics.counter('ledger_events_applied_total', 'Events that changed the ledger', ['topic']);
    this.duplicates = metrics.counter('ledger_events_duplicate_total', 'Observations with an equal or older modified date, and repeated payouts');
    this.deadLettered = metrics.counter('ledger_events_dead_lettered_total', 'Messages sent to the dead-letter topic (or skipped by a rebuild), by why', ['reason']);
    this.chunkRetries = metrics.counter('ledger_chunk_retries_total', 'Chunks retried after a transient failure');
    this.chunkSeconds = metrics.histogram('ledger_chunk_apply_duration_seconds', 'Seconds to apply one chunk (its transaction, retries and dead letters included)', ['topic'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    this.reattributed = metrics.counter('ledger_reattributed_payable_total', 'Payable money a newer version moved from one real user to another (the first may have been paid it: a clawback), by unit', ['unit']);
  }

  async start(): Promise<void> {
    const limits = this.options.offsetLimits;
    this.running = await runConsumer(this.kafka, {
      groupId: this.options.groupId,
      topics: consumedTopics,
      offsets: { kind: 'of-record', storedOffsets: () => this.store.storedOffsets(consumedTopics) },
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      maxWaitTimeInMs: this.options.fetchWaitMsMax,
      maxBytesPerPartition: this.options.fetchBytesPerPartition,
      partitionsConcurrently: this.options.partitionsConcurrently,
      parse: (topic, value) => parseLedgerInput(topic, value),
      deadLetters: { topic: Topics.commissionObservedDeadLetter, send: this.options.deadLetterInvalid },
      onSetAside: (_batch, setAside, why) => this.deadLettered.inc({ reason: why === 'refused' ? 'refused-by-database' : why }, setAside.length),
      stopBefore: limits === undefined ? undefined : (topic, partition) => limits.get(partitionKey(topic, partition)),
      health: this.options.health,
      logger: this.logger,
    }, (batch, control) => this.consumeBatch(batch, control));
  }

  /** The next offset to apply per `topic/partition`, as the projection stored it: what readiness measures lag against. */
  async storedNextOffsets(): Promise<Map<string, bigint>> {
    const stored = await this.store.storedOffsets(consumedTopics);
    return new Map(stored.map((row) => [partitionKey(row.topic, row.partition), BigInt(row.nextOffset)]));
  }

  /** Lets paused partitions continue, after a rebuild raised its offset limits. */
  resumeAll(): void {
    this.running?.resume();
  }

  /** Finishes the chunk in progress (the runner waits for the batch in hand), commits, and leaves the group. */
  async stop(): Promise<void> {
    await this.running?.stop();
  }

  /**
   * Cuts the batch into chunks of at most chunkEventsMax events, each applied in one transaction
   * with the offsets it covers: a chunk's range runs from the end of the previous one to its last
   * event (the last chunk to the end of the batch), so messages set aside are stored past too.
   */
  private async consumeBatch(batch: ConsumedBatch<LedgerMessage>, control: BatchControl): Promise<void> {
    const { topic, partition, messages } = batch;
    const chunkCount = Math.max(1, Math.ceil(messages.length / this.options.chunkEventsMax));
    let firstOffset = batch.firstOffset;
    for (let index = 0; index < chunkCount; index += 1) {
      if (!control.stillOwned() || this.switched) return;
      const chunkMessages = messages.slice(index * this.options.chunkEventsMax, (index + 1) * this.options.chunkEventsMax);
      const lastOffset = index === chunkCount - 1 ? batch.lastOffset : chunkMessages[chunkMessages.length - 1].offset;
      const events: OffsetEvent[] = chunkMessages.map((message) => ({ offset: message.offset, event: message.event }));
      const chunk: PartitionChunk = { topic, partition, events, firstOffset, lastOffset };
      const stopTimer = this.chunkSeconds.startTimer({ topic });
      const outcome = await this.applyOrNoticeSwitch(chunk, chunkMessages, control);
      stopTimer();
      if (outcome === null) return;
      this.options.health?.partitionApplied(partitionKey(topic, partition));
      this.eventsApplied.inc({ topic }, outcome.applied);
      this.duplicates.inc(outcome.duplicates);
      // A metric, not money: a JS number is right here.
      for (const moved of outcome.reattributedPayable) this.reattributed.inc({ unit: moved.unit }, Number(moved.amount));
      await control.done(lastOffset);
      firstOffset = (BigInt(lastOffset) + 1n).toString();
    }
  }

  /** Null when the chunk was not (wholly) applied: readers moved to another schema, or the partition moved on. */
  private async applyOrNoticeSwitch(chunk: PartitionChunk, messages: LedgerMessage[], control: BatchControl): Promise<ChunkOutcome | null> {
    try {
      return await this.chunkApplier(messages, control).apply(chunk);
    } catch (error) {
      // An OffsetGapError goes on to the runner, which seeks the partition back to the stored offset.
      if (!(error instanceof ProjectionSwitchedError)) throw error;
      if (!this.switched) {
        this.switched = true;
        this.logger.info({ from: error.fromSchema, to: error.toSchema }, 'projection switched; this consumer stops applying');
        // Not awaited: stopping the consumer waits for this very batch to return.
        setImmediate(() => this.options.onProjectionSwitched?.(error));
      }
      return null;
    }
  }

  /** The store, the dead-letter topic and this batch's liveness, as the applier needs them. */
  private chunkApplier(messages: LedgerMessage[], control: BatchControl): ChunkApplier {
    return new ChunkApplier({
      applyChunk: (chunk) => this.store.applyChunk(chunk),
      // Looked up only for a refused event (rare): no map per chunk.
      deadLetter: (chunk, refused) => this.deadLetterRefused(chunk, refused, messages.find((message) => message.offset === refused.item.offset), control),
      retrying: (chunk, error, attempt, delayMs) => this.noteRetry(chunk, error, attempt, delayMs),
      stillOwned: () => control.stillOwned() && !this.switched,
      wait: (delayMs) => control.wait(delayMs),
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

  /** PostgreSQL will never accept this event: set aside (to the dead-letter topic when live), logged with its key and nothing else of it. */
  private async deadLetterRefused(chunk: PartitionChunk, { item, refusal }: RefusedEvent, message: LedgerMessage | undefined, control: BatchControl): Promise<void> {
    this.logger.error(
      { topic: chunk.topic, partition: chunk.partition, offset: item.offset, ...eventKeyOf(item.event), sqlState: refusal.sqlState, statement: refusal.statement, deadLettered: this.options.deadLetterInvalid },
      'PostgreSQL refused an event; it is set aside and the partition moves on',
    );
    if (message) await control.deadLetter(message, `PostgreSQL refused it: ${refusal.sqlState} ${refusal.message}`);
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
