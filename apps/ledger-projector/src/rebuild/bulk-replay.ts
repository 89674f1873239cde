import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseLedgerInput, Topics } from '@earnings/contracts';
import { coverageOf, decidePayoutEvent, LedgerPayout, PayoutCoverageRecord } from '@earnings/domain';
import { ConsumedBatch, ConsumedMessage, KafkaClient, runConsumer, RunningConsumer } from '@earnings/kafka';
import { Recurring } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { consumedTopics, partitionKey } from '../projection/ledger-projection.consumer';
import { BulkLoad } from './bulk-load';
import { StagingBatch, StagingWriterData, StagingWriterReply, StagingWriterRequest } from './staging-writer';

export interface BulkReplayOutcome {
  /** Per `topic/partition`, the next offset after the last message replayed. */
  offsets: Map<string, { topic: string; partition: number; nextOffset: bigint }>;
  payouts: Map<string, LedgerPayout>;
  /** What each payout covered, from its PayoutExecuted that applied: the rows the live projector recorded. */
  coverage: PayoutCoverageRecord[];
  messages: number;
  /** Messages that fail their schema: the live projector dead-lettered them. */
  invalid: number;
  /** Observations PostgreSQL would refuse (a NUL character): the live projector dead-lettered them too. */
  refused: number;
}

export interface BulkReplayOptions {
  groupId: string;
  /** Per `topic/partition`, the offset to stop before; raised (by `raiseLimits`) when the live projector is further. */
  limits: Map<string, bigint>;
  /** Called once every partition was fetched up to its limit; returns true when it raised limits, so the replay goes on. */
  raiseLimits: () => Promise<boolean>;
  deadline: number;
  /** Bytes one fetch may bring per partition: bigger means fewer round trips, more memory. */
  maxBytesPerPartition: number;
  /** The database the staging thread connects to (its own connection, for its COPY). */
  databaseUrl: string;
}

interface FetchedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
}

/**
 * Fetched messages waiting to be turned into rows, at most: the next fetch runs while these are
 * processed (the broker works while this process parses), and memory stays bounded.
 */
const queuedMessagesMax = 5_000;

/** How often a running replay says how far it got, and the partitions it still waits for (at most `behindShownMax`). */
const progressLogMs = 10_000;
const behindShownMax = 5;

/**
 * Reads the ledger's topics from offset zero up to the limits as fast as the consumer can: each
 * observation becomes a row of the staging COPY (nothing is decided per event here, the bulk SQL
 * does it for all at once), each payout event is folded into its payout's record by the ledger's
 * rule. Messages the live projector set aside are skipped the same way.
 */
export async function bulkReplay(kafka: KafkaClient, load: BulkLoad, options: BulkReplayOptions, logger: Logger): Promise<BulkReplayOutcome> {
  const outcome: BulkReplayOutcome = { offsets: new Map(), payouts: new Map(), coverage: [], messages: 0, invalid: 0, refused: 0 };
  const fetched = new Map<string, bigint>();
  const queue: FetchedBatch[] = [];
  let queuedMessages = 0;
  let fetchingDone = false;
  let failure: Error | null = null;
  // Every waiter (the fetch side, the row side) wakes on any change.
  let change = newSignal();
  const changed = () => {
    const current = change;
    change = newSignal();
    current.resolve();
  };
  const nextChange = () => change.promise;
  // The first failure, from any side, stops the replay: every waiter wakes and sees it.
  const fail = (error: Error) => {
    failure ??= error;
    changed();
  };

  const staging = new StagingThread({ databaseUrl: options.databaseUrl, copySql: load.stagingCopySql() }, logger);
  let consumer: RunningConsumer | null = null;
  const fetchedAll = () => [...options.limits].every(([key, limit]) => limit === 0n || (fetched.get(key) ?? 0n) >= limit);
  let checking = false;
  /** Once every partition is fetched to its limit: go further if the live projector is, or stop fetching. */
  const checkFetched = async (): Promise<void> => {
    while (!checking && !fetchingDone && fetchedAll()) {
      checking = true;
      try {
        if (await options.raiseLimits()) consumer?.resume();
        else fetchingDone = true;
      } finally {
        checking = false;
      }
    }
    changed();
  };

  // The runner delivers each partition only below its limit, each message once per replay (a
  // kafkajs restart begins at offset zero again), and pauses a partition that reached its limit.
  const enqueue = async (batch: ConsumedBatch) => {
    const key = partitionKey(batch.topic, batch.partition);
    queue.push({ topic: batch.topic, partition: batch.partition, messages: batch.messages });
    queuedMessages += batch.messages.length;
    fetched.set(key, BigInt(batch.lastOffset) + 1n);
    changed();
    if ((fetched.get(key) ?? 0n) >= (options.limits.get(key) ?? 0n)) await checkFetched();
    while (queuedMessages > queuedMessagesMax && failure === null) await nextChange();
  };

  const drainQueue = async () => {
    for (;;) {
      if (failure !== null) throw failure;
      const batch = queue.shift();
      if (batch === undefined) {
        if (fetchingDone) return;
        await nextChange();
        continue;
      }
      if (batch.topic === Topics.commissionObserved) await staging.send(batch);
      else replayPayouts(batch, outcome);
      outcome.messages += batch.messages.length;
      const last = batch.messages[batch.messages.length - 1].offset;
      outcome.offsets.set(partitionKey(batch.topic, batch.partition), { topic: batch.topic, partition: batch.partition, nextOffset: BigInt(last) + 1n });
      queuedMessages -= batch.messages.length;
      changed();
    }
  };

  // What the replay is doing, for the progress log: a replay that stalls says where.
  let stage: 'fetching' | 'leaving the consumer group' | 'ending the staging COPY' = 'fetching';
  const progress = new Recurring({ name: 'bulk replay progress', intervalMs: progressLogMs, runAtStart: false, logger }, async () => {
    const behind = [...options.limits].filter(([key, limit]) => (fetched.get(key) ?? 0n) < limit);
    logger.info({
      stage, messages: outcome.messages, queuedMessages, fetchingDone, partitionsBehind: behind.length,
      behind: behind.slice(0, behindShownMax).map(([key, limit]) => ({ partition: key, fetched: String(fetched.get(key) ?? 0n), limit: String(limit) })),
    }, 'bulk replay in progress');
  });
  progress.start();
  const timer = setTimeout(() => fail(new Error('the bulk replay did not reach its end offsets in time')), Math.max(0, options.deadline - Date.now()));
  // A batch waiting for room in the queue must see the thread's failure too, or it never returns and the consumer cannot leave its group.
  staging.failed.catch(fail);
  try {
    consumer = await runConsumer(kafka, {
      groupId: options.groupId, topics: consumedTopics, offsets: { kind: 'replay' }, sessionTimeoutMs: 30_000,
      maxBytesPerPartition: options.maxBytesPerPartition, maxWaitTimeInMs: 100,
      // Read at every batch: a limit raised by raiseLimits applies to the next fetch.
      stopBefore: (topic, partition) => options.limits.get(partitionKey(topic, partition)) ?? 0n,
      // One kafkajs gives up on would leave the replay waiting until its deadline.
      onGaveUp: fail, logger,
    }, (batch) => enqueue(batch).catch(fail));
    // A limit raised before the runner was in hand found nothing to resume: a partition still at its limit pauses again at once.
    consumer.resume();
    // Topics with nothing to replay (limits of 0) never deliver a batch: they may be done from the start.
    await checkFetched();
    await drainQueue();
  } catch (error) {
    clearTimeout(timer);
    stage = 'leaving the consumer group';
    await consumer?.stop();
    await staging.abort();
    await progress.stop();
    throw error;
  }
  clearTimeout(timer);
  stage = 'leaving the consumer group';
  await consumer?.stop();
  stage = 'ending the staging COPY';
  const written = await staging.end();
  await progress.stop();
  outcome.invalid += written.invalid;
  outcome.refused += written.refused;
  return outcome;
}

function newSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** A batch of a payout topic: each event folded into its payout's record by the ledger's rule, and its coverage kept as the live projector records it. */
function replayPayouts(batch: FetchedBatch, outcome: BulkReplayOutcome): void {
  for (const message of batch.messages) {
    const parsed = parseLedgerInput(batch.topic, message.value);
    if (!parsed.ok || parsed.value.type === 'CommissionObserved') {
      outcome.invalid += 1;
      continue;
    }
    const event = parsed.value;
    const decision = decidePayoutEvent(outcome.payouts.get(event.payoutId), event);
    if (!decision.applied) continue;
    outcome.payouts.set(event.payoutId, decision.payout);
    if (event.type === 'PayoutExecuted') outcome.coverage.push(...coverageOf(event));
  }
}

const stagingThreadHeap = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 32 };

/** Batches the staging thread may hold at once: enough to keep it busy, few enough to bound memory. */
const stagingBatchesInFlightMax = 4;

/** The main thread's side of the staging writer (staging-writer.ts): sends batches, counts what it set aside. */
class StagingThread {
  failure: Error | null = null;
  /** Rejects when the thread fails, so the replay stops at once. */
  readonly failed: Promise<never>;
  private readonly worker: Worker;
  private inFlight = 0;
  private invalid = 0;
  private refused = 0;
  private settle: () => void = () => undefined;
  private ended: () => void = () => undefined;
  private fail: (error: Error) => void = () => undefined;

  constructor(data: StagingWriterData, private readonly logger: Logger) {
    // Its live data is a batch or two and a piece of COPY text: a small heap keeps the process's memory down.
    this.worker = new Worker(join(__dirname, 'staging-writer.js'), { workerData: data, resourceLimits: stagingThreadHeap });
    this.failed = new Promise<never>((_resolve, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
    this.worker.on('message', (reply: StagingWriterReply) => this.receive(reply));
    this.worker.on('error', (error) => this.stop(error));
    this.worker.on('exit', (code) => this.stop(new Error(`the staging thread exited (${code})`)));
  }

  /** Packs the batch's values into one buffer (handed over, not copied again) and waits while the thread is busy enough. */
  async send(batch: FetchedBatch): Promise<void> {
    while (this.inFlight >= stagingBatchesInFlightMax && this.failure === null) await new Promise<void>((resolve) => (this.settle = resolve));
    if (this.failure) throw this.failure;
    const lengths = new Int32Array(batch.messages.length);
    let total = 0;
    batch.messages.forEach((message, index) => {
      lengths[index] = message.value === null ? -1 : message.value.length;
      total += message.value?.length ?? 0;
    });
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const message of batch.messages) {
      if (message.value === null) continue;
      bytes.set(message.value, at);
      at += message.value.length;
    }
    const request: StagingBatch = { type: 'batch', partition: batch.partition, offsets: batch.messages.map((message) => message.offset), lengths, bytes };
    this.inFlight += 1;
    this.worker.postMessage(request satisfies StagingWriterRequest, [bytes.buffer, lengths.buffer]);
  }

  /** Ends the COPY once every batch is in; resolves with what the thread set aside. */
  async end(): Promise<{ invalid: number; refused: number }> {
    const ended = new Promise<void>((resolve) => (this.ended = resolve));
    this.worker.postMessage({ type: 'end' } satisfies StagingWriterRequest);
    try {
      await Promise.race([ended, this.failed]);
    } finally {
      await this.worker.terminate();
    }
    return { invalid: this.invalid, refused: this.refused };
  }

  /** Stops the thread: its connection closes, and PostgreSQL drops the unfinished COPY. */
  async abort(): Promise<void> {
    this.stop(new Error('the bulk replay was abandoned'));
    await this.worker.terminate();
  }

  private receive(reply: StagingWriterReply): void {
    switch (reply.type) {
      case 'batch-done':
        this.inFlight -= 1;
        this.invalid += reply.invalid;
        this.refused += reply.refused.length;
        for (const event of reply.refused) {
          this.logger.warn({ topic: Topics.commissionObserved, ...event }, 'observation PostgreSQL refuses (a NUL character); skipped, as the live projector set it aside');
        }
        this.settle();
        return;
      case 'ended':
        this.ended();
        return;
      case 'failed':
        // The SQLSTATE travels with the message, so a refusal still turns the rebuild to the chunk-by-chunk replay.
        this.stop(Object.assign(new Error(reply.message), { code: reply.code ?? undefined }));
        return;
    }
  }

  private stop(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.fail(error);
    this.settle();
  }
}
