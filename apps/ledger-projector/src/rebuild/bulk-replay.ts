import { parseLedgerInput } from '@earnings/contracts';
import { decidePayoutEvent, LedgerPayout } from '@earnings/domain';
import { createConsumer, EachBatchPayload, Kafka, KafkaMessage } from '@earnings/kafka';
import type { Logger } from 'pino';
import { consumedTopics, partitionKey } from '../projection/ledger-projection.consumer';
import { BulkLoad, copyWriteChars, stagingRow } from './bulk-load';

export interface BulkReplayOutcome {
  /** Per `topic/partition`, the next offset after the last message replayed. */
  offsets: Map<string, { topic: string; partition: number; nextOffset: bigint }>;
  payouts: Map<string, LedgerPayout>;
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
}

interface FetchedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/**
 * Fetched messages waiting to be turned into rows, at most: the next fetch runs while these are
 * processed (the broker works while this process parses), and memory stays bounded.
 */
const queuedMessagesMax = 20_000;

/**
 * Reads the ledger's topics from offset zero up to the limits as fast as the consumer can: each
 * observation becomes a row of the staging COPY (nothing is decided per event here, the bulk SQL
 * does it for all at once), each payout event is folded into its payout's record by the ledger's
 * rule. Messages the live projector set aside are skipped the same way.
 */
export async function bulkReplay(kafka: Kafka, load: BulkLoad, options: BulkReplayOptions, logger: Logger): Promise<BulkReplayOutcome> {
  const outcome: BulkReplayOutcome = { offsets: new Map(), payouts: new Map(), messages: 0, invalid: 0, refused: 0 };
  const fetched = new Map<string, bigint>();
  const queue: FetchedBatch[] = [];
  let queuedMessages = 0;
  let fetchingDone = false;
  let failure: Error | null = null;
  // Every waiter (the fetch side, the row side, the failure watch) wakes on any change.
  let change = newSignal();
  const changed = () => {
    const current = change;
    change = newSignal();
    current.resolve();
  };
  const nextChange = () => change.promise;

  const staging = await load.openStaging();
  const consumer = createConsumer(kafka, { groupId: options.groupId, sessionTimeoutMs: 30_000, maxBytesPerPartition: options.maxBytesPerPartition, maxWaitTimeInMs: 100 });
  const fetchedAll = () => [...options.limits].every(([key, limit]) => limit === 0n || (fetched.get(key) ?? 0n) >= limit);
  let checking = false;
  /** Once every partition is fetched to its limit: go further if the live projector is, or stop fetching. */
  const checkFetched = async (): Promise<void> => {
    while (!checking && !fetchingDone && fetchedAll()) {
      checking = true;
      try {
        if (await options.raiseLimits()) consumer.resume(consumedTopics.map((topic) => ({ topic })));
        else fetchingDone = true;
      } finally {
        checking = false;
      }
    }
    changed();
  };

  const enqueue = async ({ batch, pause }: EachBatchPayload) => {
    const key = partitionKey(batch.topic, batch.partition);
    const limit = options.limits.get(key) ?? 0n;
    const messages = batch.messages;
    // Offsets grow within a batch: only a batch that ends past the limit needs cutting.
    const within = messages.length > 0 && BigInt(messages[messages.length - 1].offset) >= limit ? messages.filter((message) => BigInt(message.offset) < limit) : messages;
    if (within.length > 0) {
      queue.push({ topic: batch.topic, partition: batch.partition, messages: within });
      queuedMessages += within.length;
      fetched.set(key, BigInt(within[within.length - 1].offset) + 1n);
      changed();
    }
    if ((fetched.get(key) ?? 0n) >= limit) {
      pause();
      await checkFetched();
    }
    while (queuedMessages > queuedMessagesMax && failure === null) await nextChange();
  };

  const drainQueue = async () => {
    for (;;) {
      const batch = queue.shift();
      if (batch === undefined) {
        if (fetchingDone) return;
        await nextChange();
        continue;
      }
      await replayBatch(batch, staging, outcome, logger);
      queuedMessages -= batch.messages.length;
      changed();
    }
  };

  const timer = setTimeout(() => {
    failure = new Error('the bulk replay did not reach its end offsets in time');
    changed();
  }, Math.max(0, options.deadline - Date.now()));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: consumedTopics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: (payload) => enqueue(payload).catch((error: Error) => {
        failure = error;
        changed();
      }),
    });
    // Topics with nothing to replay (limits of 0) never deliver a batch: they may be done from the start.
    await checkFetched();
    await Promise.race([drainQueue(), failed(() => failure, nextChange)]);
  } catch (error) {
    clearTimeout(timer);
    await consumer.disconnect();
    await staging.abort();
    throw error;
  }
  clearTimeout(timer);
  await consumer.disconnect();
  await staging.end();
  return outcome;
}

function newSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Rejects as soon as `failure` holds an error; never resolves otherwise. */
async function failed(failure: () => Error | null, nextChange: () => Promise<void>): Promise<never> {
  for (;;) {
    const error = failure();
    if (error !== null) throw error;
    await nextChange();
  }
}

/** One fetched batch: observations to staging rows (written in pieces), payout events folded into their records. */
async function replayBatch(batch: FetchedBatch, staging: { write(rows: string): Promise<void> }, outcome: BulkReplayOutcome, logger: Logger): Promise<void> {
  let rows = '';
  for (const message of batch.messages) {
    const parsed = parseLedgerInput(batch.topic, message.value);
    if (!parsed.ok) {
      outcome.invalid += 1;
      continue;
    }
    const event = parsed.value;
    if (event.type !== 'CommissionObserved') {
      const decision = decidePayoutEvent(outcome.payouts.get(event.payoutId), event);
      if (decision.applied) outcome.payouts.set(event.payoutId, decision.payout);
      continue;
    }
    const row = stagingRow(event, batch.partition, message.offset);
    // PostgreSQL refuses a NUL in text (22021): the live projector dead-lettered this one.
    if (row.includes('\u0000')) {
      outcome.refused += 1;
      logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, source: event.source, commissionId: event.commissionId.slice(0, 200) }, 'observation PostgreSQL refuses (a NUL character); skipped, as the live projector set it aside');
      continue;
    }
    rows += row;
    if (rows.length > copyWriteChars) {
      await staging.write(rows);
      rows = '';
    }
  }
  if (rows !== '') await staging.write(rows);
  outcome.messages += batch.messages.length;
  const last = batch.messages[batch.messages.length - 1].offset;
  outcome.offsets.set(partitionKey(batch.topic, batch.partition), { topic: batch.topic, partition: batch.partition, nextOffset: BigInt(last) + 1n });
}
