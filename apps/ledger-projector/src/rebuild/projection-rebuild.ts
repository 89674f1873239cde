import { assertSchemaName, currentProjectionSchema, LEDGER_PROJECTION } from '@earnings/persistence';
import { Metrics, pollUntil } from '@earnings/service-shell';
import { KafkaClient, readEndOffsets } from '@earnings/kafka';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { consumedTopics, LedgerProjectionConsumer, partitionKey } from '../projection/ledger-projection.consumer';
import { databaseRefusalOf } from '../projection/chunk-applier';
import { LedgerStore } from '../projection/ledger-store';
import { BulkLoad } from './bulk-load';
import { bulkReplay } from './bulk-replay';

export interface RebuildOptions {
  /** The live projector's group: the rebuild stores its offsets under it, so the projector continues from them after the switch. */
  liveConsumerGroup: string;
  switchReaders: boolean;
  dropOld: boolean;
  /**
   * Compare only the AUIs that start with this; null compares all. Observations of one commission
   * under two AUIs (so in two partitions) with the same modified time apply in arrival order,
   * which a replay need not repeat: a shared test cluster has such histories.
   */
  compareAuiPrefix: string | null;
  chunkEventsMax: number;
  partitionsConcurrently: number;
  /** Explicit limit on the whole replay; a rebuild that takes longer is abandoned (its schema stays for inspection). */
  replayTimeoutMs: number;
  /** Bytes one fetch of the bulk replay may bring per partition. */
  fetchBytesPerPartition: number;
}

export interface BalanceDifference {
  aui: string;
  unit: string;
  live: Record<string, string> | null;
  rebuilt: Record<string, string> | null;
}

/** A payout whose record (state, dates, reason) differs between the live and the rebuilt projection. */
export interface PayoutDifference {
  payoutId: string;
  live: Record<string, string | null> | null;
  rebuilt: Record<string, string | null> | null;
}

/** A commission a payout covered that the live and the rebuilt projection record differently, or only one records. */
export interface CoverageDifference {
  payoutId: string;
  source: string;
  commissionId: string;
  live: Record<string, string> | null;
  rebuilt: Record<string, string> | null;
}

export interface RebuildReport {
  liveSchema: string;
  rebuiltSchema: string;
  /** The bulk load, or chunk by chunk when PostgreSQL refused something of the bulk load. */
  replayedBy: 'bulk load' | 'chunk by chunk';
  /** Messages replayed: the sum over partitions of the offsets the rebuild stopped at. */
  messagesReplayed: string;
  replaySeconds: number;
  differenceCount: number;
  /** The first balance differences, at most differencesShownMax. */
  differences: BalanceDifference[];
  /** The first payout differences (holds, returns), at most differencesShownMax. */
  payoutDifferences: PayoutDifference[];
  /** The first coverage differences (what a payout covered), at most differencesShownMax. */
  coverageDifferences: CoverageDifference[];
  switched: boolean;
  droppedOld: boolean;
}

/** A replay's chunk, concurrency and time limit, for the command and the timing soak alike. */
export const replayDefaults = { chunkEventsMax: 5_000, partitionsConcurrently: 3, replayTimeoutMs: 6 * 3_600_000, fetchBytesPerPartition: 1024 * 1024 } as const;

const differencesShownMax = 20;
const progressPollMs = 250;
const oldOutboxDrainTimeoutMs = 60_000;
const figureColumns = ['lifetime', 'pending', 'payable', 'paid_by_network', 'paid_out', 'reserved', 'pending_reversals'] as const;
const payoutColumns = ['aui', 'unit', 'amount', 'method', 'state', 'requested_at', 'executed_at', 'ended_at', 'end_reason'] as const;
const coverageColumns = ['position', 'aui', 'unit', 'amount'] as const;

/**
 * Rebuild by replay: a new schema, a new consumer group, the topics from offset zero up to the
 * end offsets taken at the start (then up to the live projector's offsets, so both describe the
 * same messages), a per-(AUI, unit) comparison with the live schema, and the switch in one
 * UPDATE of projection_pointer. The live projector serves until the switch and then follows it.
 */
export async function rebuildProjection(kafka: KafkaClient, dataSource: DataSource, options: RebuildOptions, logger: Logger): Promise<RebuildReport> {
  const liveSchema = await currentProjectionSchema(dataSource);
  let rebuiltSchema = await createNextSchema(dataSource);
  logger.info({ liveSchema, rebuiltSchema }, 'rebuilding the ledger projection');
  const startedAt = process.hrtime.bigint();
  const limits = await readEndOffsets(kafka, consumedTopics);
  logger.info({ messages: sumOf(limits).toString(), partitions: limits.size }, 'took the end offsets to replay up to');
  const deadline = Date.now() + options.replayTimeoutMs;
  let replayedBy: RebuildReport['replayedBy'] = 'bulk load';
  try {
    await replayInBulk(kafka, dataSource, rebuiltSchema, limits, liveSchema, options, deadline, logger);
  } catch (error) {
    const refusal = databaseRefusalOf(error);
    if (refusal === null) throw error;
    // Something in the topics PostgreSQL refuses that the bulk path did not foresee: the chunk-by-chunk replay isolates it.
    logger.warn({ rebuiltSchema, sqlState: refusal.sqlState, problem: refusal.message, statement: refusal.statement }, 'PostgreSQL refused the bulk load; replaying chunk by chunk instead');
    await dataSource.query(`DROP SCHEMA ${assertSchemaName(rebuiltSchema)} CASCADE`);
    rebuiltSchema = await createNextSchema(dataSource);
    replayedBy = 'chunk by chunk';
    await replayChunkByChunk(kafka, dataSource, rebuiltSchema, limits, liveSchema, options, deadline, logger);
  }
  const replaySeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const balances = await compareBalances(dataSource, liveSchema, rebuiltSchema, options.compareAuiPrefix);
  const payouts = await comparePayouts(dataSource, liveSchema, rebuiltSchema, options.compareAuiPrefix);
  const coverage = await compareCoverage(dataSource, liveSchema, rebuiltSchema, options.compareAuiPrefix);
  const differenceCount = balances.differenceCount + payouts.differenceCount + coverage.differenceCount;
  const { differences } = balances;
  const payoutDifferences = payouts.differences;
  const switched = options.switchReaders && differenceCount === 0 && (await switchReaders(dataSource, liveSchema, rebuiltSchema));
  const droppedOld = switched && options.dropOld && (await dropWhenDrained(dataSource, liveSchema, logger));
  const messagesReplayed = sumOf(limits).toString();
  const coverageDifferences = coverage.differences;
  return { liveSchema, rebuiltSchema, replayedBy, messagesReplayed, replaySeconds, differenceCount, differences, payoutDifferences, coverageDifferences, switched, droppedOld };
}

/**
 * The replay as a bulk load: the topics copied into a staging table without per-event SQL, the
 * versions, commissions and balances derived from it in a few statements, keys and indexes built
 * after the rows are in. Goes as far as the live projector if it is past the start-time ends, so
 * the comparison is like for like.
 */
async function replayInBulk(
  kafka: KafkaClient, dataSource: DataSource, schema: string, limits: Map<string, bigint>, liveSchema: string, options: RebuildOptions, deadline: number, logger: Logger,
): Promise<void> {
  const load = new BulkLoad(dataSource, schema);
  const timer = phaseTimer();
  await load.prepare();
  logger.info({ seconds: timer() }, 'set the rebuilt schema up for the bulk load (keys and indexes come after the rows)');
  const outcome = await bulkReplay(kafka, load, {
    groupId: rebuildGroupId(options, schema),
    limits,
    raiseLimits: async () => raiseLimits(limits, await storedOffsets(dataSource, liveSchema, options.liveConsumerGroup)),
    deadline,
    maxBytesPerPartition: options.fetchBytesPerPartition,
    databaseUrl: databaseUrlOf(dataSource),
  }, logger);
  logger.info({ messages: outcome.messages, invalid: outcome.invalid, refused: outcome.refused, payouts: outcome.payouts.size, seconds: timer() }, 'replayed the topics into the staging table');
  await load.foldCommissions();
  logger.info({ seconds: timer() }, 'folded the versions and the latest commissions');
  // The balances read the commissions while the keys and indexes are built (an index build lets readers in).
  await Promise.all([
    load.buildIndexes(['commission_version']),
    load.buildIndexes(['commission']),
    load.writePayouts(outcome.payouts, outcome.coverage).then(() => load.writeBalances()).then(() => load.buildIndexes(['balance'])),
  ]);
  await load.storeOffsets(options.liveConsumerGroup, outcome.offsets);
  logger.info({ seconds: timer() }, 'wrote the balances and payouts; built the keys and indexes');
}

const sumOf = (offsets: Map<string, bigint>): bigint => [...offsets.values()].reduce((sum, end) => sum + end, 0n);

/** Seconds since the previous call (or since it was made), for the phase logs. */
function phaseTimer(): () => number {
  let last = process.hrtime.bigint();
  return () => {
    const now = process.hrtime.bigint();
    const seconds = Number(now - last) / 1e9;
    last = now;
    return Math.round(seconds * 100) / 100;
  };
}

/** The replay the live projector does, chunk by chunk through the ledger store: slower, and it sets aside any event PostgreSQL refuses. */
async function replayChunkByChunk(
  kafka: KafkaClient, dataSource: DataSource, schema: string, limits: Map<string, bigint>, liveSchema: string, options: RebuildOptions, deadline: number, logger: Logger,
): Promise<void> {
  const store = new LedgerStore(dataSource, schema, options.liveConsumerGroup, { announceBalanceChanges: false, requirePointedTo: false });
  const consumer = new LedgerProjectionConsumer(kafka, store, {
    groupId: rebuildGroupId(options, schema),
    chunkEventsMax: options.chunkEventsMax,
    fetchWaitMsMax: 100,
    fetchBytesPerPartition: options.fetchBytesPerPartition,
    sessionTimeoutMs: 30_000,
    partitionsConcurrently: options.partitionsConcurrently,
    deadLetterInvalid: false,
    offsetLimits: limits,
  }, logger, new Metrics());
  await consumer.start();
  try {
    await waitForOffsets(dataSource, schema, options.liveConsumerGroup, limits, deadline);
    if (raiseLimits(limits, await storedOffsets(dataSource, liveSchema, options.liveConsumerGroup))) {
      consumer.resumeAll();
      await waitForOffsets(dataSource, schema, options.liveConsumerGroup, limits, deadline);
    }
  } finally {
    await consumer.stop();
  }
}

/** The URL the data source was made with: the staging thread opens its own connection with it. */
function databaseUrlOf(dataSource: DataSource): string {
  const url = (dataSource.options as { url?: string }).url;
  if (!url) throw new Error('the rebuild needs a data source made from a URL (createDataSource({ url }))');
  return url;
}

const rebuildGroupId = (options: RebuildOptions, schema: string): string => `${options.liveConsumerGroup}.rebuild.${schema}.${Date.now()}`;

async function createNextSchema(dataSource: DataSource): Promise<string> {
  const rows: { number: number | null }[] = await dataSource.query(
    `SELECT max(substring(schema_name FROM '^ledger_([0-9]+)$')::int) AS number FROM information_schema.schemata`,
  );
  const name = assertSchemaName(`ledger_${(rows[0]?.number ?? 0) + 1}`);
  await dataSource.query('SELECT create_ledger_projection($1)', [name]);
  return name;
}

async function storedOffsets(dataSource: DataSource, schema: string, group: string): Promise<Map<string, bigint>> {
  const rows: { topic: string; partition: number; next_offset: string }[] = await dataSource.query(
    `SELECT topic, partition, next_offset FROM ${assertSchemaName(schema)}.consumer_offset WHERE consumer_group = $1`,
    [group],
  );
  return new Map(rows.map((row) => [partitionKey(row.topic, row.partition), BigInt(row.next_offset)]));
}

/** Raises each limit to at least the given offset; true when any rose. */
function raiseLimits(limits: Map<string, bigint>, offsets: Map<string, bigint>): boolean {
  let raised = false;
  for (const [key, offset] of offsets) {
    if (offset > (limits.get(key) ?? 0n)) {
      limits.set(key, offset);
      raised = true;
    }
  }
  return raised;
}

async function waitForOffsets(dataSource: DataSource, schema: string, group: string, limits: Map<string, bigint>, deadline: number): Promise<void> {
  const reached = await pollUntil(async () => {
    const stored = await storedOffsets(dataSource, schema, group);
    return [...limits].every(([key, end]) => end === 0n || (stored.get(key) ?? 0n) >= end);
  }, progressPollMs, deadline);
  if (!reached) throw new Error(`rebuild into ${schema} did not reach its end offsets in time; the schema is left for inspection`);
}

/** Every (AUI, unit) whose stored figures differ; a missing row counts as zeros. */
async function compareBalances(dataSource: DataSource, liveSchema: string, rebuiltSchema: string, auiPrefix: string | null): Promise<{ differenceCount: number; differences: BalanceDifference[] }> {
  const live = assertSchemaName(liveSchema);
  const rebuilt = assertSchemaName(rebuiltSchema);
  const differs = figureColumns.map((column) => `coalesce(l.${column}, 0) <> coalesce(r.${column}, 0)`).join(' OR ');
  const figures = (alias: string) => `CASE WHEN ${alias}.aui IS NULL THEN NULL ELSE jsonb_build_object(${figureColumns.map((column) => `'${column}', ${alias}.${column}::text`).join(', ')}) END`;
  const rows: { aui: string; unit: string; live: Record<string, string> | null; rebuilt: Record<string, string> | null; difference_count: string }[] = await dataSource.query(
    `SELECT coalesce(l.aui, r.aui) AS aui, coalesce(l.unit, r.unit) AS unit, ${figures('l')} AS live, ${figures('r')} AS rebuilt, count(*) OVER () AS difference_count
       FROM ${live}.balance l FULL JOIN ${rebuilt}.balance r ON l.aui = r.aui AND l.unit = r.unit
      WHERE (${differs}) AND starts_with(coalesce(l.aui, r.aui), $1)
      ORDER BY 1, 2
      LIMIT ${differencesShownMax}`,
    [auiPrefix ?? ''],
  );
    // A count of rows, not money: a JS number is right here.
  const differenceCount = rows.length === 0 ? 0 : Number.parseInt(rows[0].difference_count, 10);
  return { differenceCount, differences: rows.map(({ difference_count: _count, ...difference }) => difference) };
}

/** Every payout whose record differs, or that only one side has. */
async function comparePayouts(dataSource: DataSource, liveSchema: string, rebuiltSchema: string, auiPrefix: string | null): Promise<{ differenceCount: number; differences: PayoutDifference[] }> {
  const live = assertSchemaName(liveSchema);
  const rebuilt = assertSchemaName(rebuiltSchema);
  const record = (alias: string) => `CASE WHEN ${alias}.payout_id IS NULL THEN NULL ELSE jsonb_build_object(${payoutColumns.map((column) => `'${column}', ${alias}.${column}::text`).join(', ')}) END`;
  const rows: { payout_id: string; live: Record<string, string | null> | null; rebuilt: Record<string, string | null> | null; difference_count: string }[] = await dataSource.query(
    `SELECT coalesce(l.payout_id, r.payout_id) AS payout_id, ${record('l')} AS live, ${record('r')} AS rebuilt, count(*) OVER () AS difference_count
       FROM ${live}.payout l FULL JOIN ${rebuilt}.payout r ON l.payout_id = r.payout_id
      WHERE ${record('l')} IS DISTINCT FROM ${record('r')} AND starts_with(coalesce(l.aui, r.aui), $1)
      ORDER BY 1
      LIMIT ${differencesShownMax}`,
    [auiPrefix ?? ''],
  );
  // A count of rows, not money: a JS number is right here.
  const differenceCount = rows.length === 0 ? 0 : Number.parseInt(rows[0].difference_count, 10);
  return { differenceCount, differences: rows.map((row) => ({ payoutId: row.payout_id, live: row.live, rebuilt: row.rebuilt })) };
}

/** Every coverage row (payout, commission) whose position, owner or amount differs, or that only one side records. */
async function compareCoverage(dataSource: DataSource, liveSchema: string, rebuiltSchema: string, auiPrefix: string | null): Promise<{ differenceCount: number; differences: CoverageDifference[] }> {
  const live = assertSchemaName(liveSchema);
  const rebuilt = assertSchemaName(rebuiltSchema);
  const record = (alias: string) => `CASE WHEN ${alias}.payout_id IS NULL THEN NULL ELSE jsonb_build_object(${coverageColumns.map((column) => `'${column}', ${alias}.${column}::text`).join(', ')}) END`;
  const rows: { payout_id: string; source: string; commission_id: string; live: Record<string, string> | null; rebuilt: Record<string, string> | null; difference_count: string }[] = await dataSource.query(
    `SELECT coalesce(l.payout_id, r.payout_id) AS payout_id, coalesce(l.source, r.source) AS source, coalesce(l.commission_id, r.commission_id) AS commission_id,
            ${record('l')} AS live, ${record('r')} AS rebuilt, count(*) OVER () AS difference_count
       FROM ${live}.payout_coverage l FULL JOIN ${rebuilt}.payout_coverage r ON l.payout_id = r.payout_id AND l.source = r.source AND l.commission_id = r.commission_id
      WHERE ${record('l')} IS DISTINCT FROM ${record('r')} AND starts_with(coalesce(l.aui, r.aui), $1)
      ORDER BY 1, 2, 3
      LIMIT ${differencesShownMax}`,
    [auiPrefix ?? ''],
  );
  // A count of rows, not money: a JS number is right here.
  const differenceCount = rows.length === 0 ? 0 : Number.parseInt(rows[0].difference_count, 10);
  return { differenceCount, differences: rows.map((row) => ({ payoutId: row.payout_id, source: row.source, commissionId: row.commission_id, live: row.live, rebuilt: row.rebuilt })) };
}

/**
 * One transaction: lock the pointer (waiting for the live projector's chunk in flight, whose
 * transaction holds it FOR SHARE), carry each AUI's BalanceChanged sequence over so consumers
 * never see it go backwards, and point readers (the pointer and the `ledger` views) at the rebuilt schema.
 */
async function switchReaders(dataSource: DataSource, liveSchema: string, rebuiltSchema: string): Promise<boolean> {
  const live = assertSchemaName(liveSchema);
  const rebuilt = assertSchemaName(rebuiltSchema);
  return dataSource.transaction(async (manager) => {
    const rows: { schema_name: string }[] = await manager.query('SELECT schema_name FROM projection_pointer WHERE name = $1 FOR UPDATE', [LEDGER_PROJECTION]);
    if (rows[0]?.schema_name !== live) throw new Error(`projection_pointer moved to ${rows[0]?.schema_name} during the rebuild; not switching`);
    await manager.query(
      `INSERT INTO ${rebuilt}.account AS a (aui, balance_sequence) SELECT aui, balance_sequence FROM ${live}.account
       ON CONFLICT (aui) DO UPDATE SET balance_sequence = GREATEST(a.balance_sequence, EXCLUDED.balance_sequence)`,
    );
    await manager.query('UPDATE projection_pointer SET schema_name = $2, switched_at = now() WHERE name = $1', [LEDGER_PROJECTION, rebuilt]);
    // Readers of other services read the views the projector publishes: they move in the same step.
    await manager.query('SELECT publish_ledger_views($1)', [rebuilt]);
    return true;
  });
}

/** Drops the old schema once the live projector relayed what its outbox still held; keeps it (and says so) otherwise. */
async function dropWhenDrained(dataSource: DataSource, oldSchema: string, logger: Logger): Promise<boolean> {
  const schema = assertSchemaName(oldSchema);
  const drained = await pollUntil(async () => {
    const [{ count }]: { count: string }[] = await dataSource.query(`SELECT count(*) AS count FROM ${schema}.outbox WHERE published_at IS NULL`);
    return count === '0';
  }, progressPollMs, Date.now() + oldOutboxDrainTimeoutMs);
  if (drained) {
    await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
    return true;
  }
  logger.warn({ schema }, 'the old outbox still holds unpublished events (is the projector running?); not dropping it');
  return false;
}
