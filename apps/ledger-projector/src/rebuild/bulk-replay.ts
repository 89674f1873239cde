import { parseLedgerInput } from '@earnings/contracts';
import { decidePayoutEvent, LedgerPayout } from '@earnings/domain';
import { createConsumer, EachBatchPayload, Kafka } from '@earnings/kafka';
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
  /** Called once every partition reached its limit; returns true when it raised limits, so the replay goes on. */
  raiseLimits: () => Promise<boolean>;
  deadline: number;
  /** Bytes one fetch may bring per partition: bigger means fewer round trips, more memory. */
  maxBytesPerPartition: number;
}

/**
 * Reads the ledger's topics from offset zero up to the limits as fast as the consumer can: each
 * observation becomes a row of the staging COPY (nothing is decided per event here, the bulk SQL
 * does it for all at once), each payout event is folded into its payout's record by the ledger's
 * rule. Messages the live projector set aside are skipped the same way.
 */
export async function bulkReplay(kafka: Kafka, load: BulkLoad, options: BulkReplayOptions, logger: Logger): Promise<BulkReplayOutcome> {
  const outcome: BulkReplayOutcome = { offsets: new Map(), payouts: new Map(), messages: 0, invalid: 0, refused: 0 };
  const staging = await load.openStaging();
  const consumer = createConsumer(kafka, { groupId: options.groupId, sessionTimeoutMs: 30_000, maxBytesPerPartition: options.maxBytesPerPartition, maxWaitTimeInMs: 100 });
  let finished: (error?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => (finished = (error) => (error ? reject(error) : resolve())));
  let checking = false;
  let checkAgain = false;

  const reachedAll = () => [...options.limits].every(([key, limit]) => limit === 0n || (outcome.offsets.get(key)?.nextOffset ?? 0n) >= limit);
  const checkDone = async (): Promise<void> => {
    if (checking) {
      checkAgain = true;
      return;
    }
    if (!reachedAll()) return;
    checking = true;
    try {
      if (await options.raiseLimits()) consumer.resume(consumedTopics.map((topic) => ({ topic })));
      else finished();
    } catch (error) {
      finished(error as Error);
    } finally {
      checking = false;
    }
    if (checkAgain) {
      checkAgain = false;
      await checkDone();
    }
  };

  const consumeBatch = async ({ batch, pause }: EachBatchPayload) => {
    const key = partitionKey(batch.topic, batch.partition);
    const limit = options.limits.get(key) ?? 0n;
    let rows = '';
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset >= limit) break;
      outcome.messages += 1;
      outcome.offsets.set(key, { topic: batch.topic, partition: batch.partition, nextOffset: offset + 1n });
      const parsed = parseLedgerInput(batch.topic, message.value);
      if (!parsed.ok) {
        outcome.invalid += 1;
        continue;
      }
      const event = parsed.value;
      if (event.type === 'CommissionObserved') {
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
      } else {
        const decision = decidePayoutEvent(outcome.payouts.get(event.payoutId), event);
        if (decision.applied) outcome.payouts.set(event.payoutId, decision.payout);
      }
    }
    if (rows !== '') await staging.write(rows);
    const reached = outcome.offsets.get(key)?.nextOffset ?? 0n;
    if (reached >= limit) {
      pause();
      await checkDone();
    }
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: consumedTopics, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => consumeBatch(payload).catch((error: Error) => finished(error)) });
    // Topics with nothing to replay (limits of 0) never deliver a batch: they are done from the start.
    await checkDone();
    const timer = setTimeout(() => finished(new Error('the bulk replay did not reach its end offsets in time')), Math.max(0, options.deadline - Date.now()));
    try {
      await done;
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    await consumer.disconnect();
    await staging.abort();
    throw error;
  }
  await consumer.disconnect();
  await staging.end();
  return outcome;
}
