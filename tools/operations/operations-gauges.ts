import { ledgerInputTopics, Topics, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { ClusterReader, WatchedGroup } from '@earnings/kafka';
import { Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

export interface OperationsSources {
  cluster: ClusterReader;
  database: DataSource;
  projectorGroup: string;
  payoutGroup: string;
  payoutRewardGroup: string;
  /** Told why a source could not be read; the scrape still answers, with that source's gauge at 0. */
  onReadFailure(source: string, error: Error): void;
}

const deadLetterTopics = [Topics.commissionObservedDeadLetter, Topics.balanceChangedDeadLetter];

/** The consumer groups whose lag pages someone: the ledger projector, the payout service's balance view and its reward consumer. */
export function watchedGroups(sources: Pick<OperationsSources, 'projectorGroup' | 'payoutGroup' | 'payoutRewardGroup'>): WatchedGroup[] {
  return [
    { groupId: sources.projectorGroup, topics: ledgerInputTopics },
    { groupId: sources.payoutGroup, topics: [Topics.balanceChanged] },
    { groupId: sources.payoutRewardGroup, topics: [Topics.commissionObserved] },
  ];
}

/**
 * Gauges measured at scrape time from Kafka and PostgreSQL, outside the services they describe,
 * so a stopped projector still shows its lag growing. `refresh` reads everything before the
 * registry is rendered (prom-client renders gauges concurrently, so per-gauge collect hooks could
 * not share one read). A source that fails (Kafka or PostgreSQL down) sets
 * `earnings_operations_source_up{source}` to 0 and keeps the other source's figures coming.
 */
export function registerOperationsGauges(registry: Registry, sources: OperationsSources): { refresh(): Promise<void> } {
  const up = new Gauge({ name: 'earnings_operations_source_up', help: 'Whether the last scrape could read the source (1) or not (0)', labelNames: ['source'], registers: [registry] });
  const guarded = (source: string, read: () => Promise<void>) => async () => {
    try {
      await read();
      up.set({ source }, 1);
    } catch (error) {
      up.set({ source }, 0);
      sources.onReadFailure(source, error as Error);
    }
  };
  const readKafka = guarded('kafka', kafkaGauges(registry, sources));
  const readDatabase = guarded('postgres', databaseGauges(registry, sources));
  return { refresh: async () => void (await Promise.all([readKafka(), readDatabase()])) };
}

function kafkaGauges(registry: Registry, sources: OperationsSources): () => Promise<void> {
  const lag = new Gauge({ name: 'kafka_consumer_group_lag_messages', help: 'Messages not yet committed by the group, per partition (end offset minus committed offset)', labelNames: ['group', 'topic', 'partition'], registers: [registry] });
  const deadLetters = new Gauge({ name: 'earnings_dead_letter_messages', help: 'Messages held by a dead-letter topic', labelNames: ['topic'], registers: [registry] });
  return async () => {
    const lags = await sources.cluster.consumerLag(watchedGroups(sources));
    lag.reset();
    for (const row of lags) lag.set({ group: row.groupId, topic: row.topic, partition: String(row.partition) }, Number(row.lagMessages));
    for (const topic of deadLetterTopics) deadLetters.set({ topic }, Number(await sources.cluster.topicDepth(topic)));
  };
}

function databaseGauges(registry: Registry, sources: OperationsSources): () => Promise<void> {
  const backlog = new Gauge({ name: 'earnings_outbox_backlog_rows', help: 'Outbox rows written and not yet published to Kafka', labelNames: ['outbox'], registers: [registry] });
  const age = new Gauge({ name: 'earnings_outbox_oldest_age_seconds', help: 'Age of the oldest unpublished outbox row (0 when none)', labelNames: ['outbox'], registers: [registry] });
  const unattributed = new Gauge({ name: 'earnings_unattributed_amount', help: `Money the ledger holds under ${UNATTRIBUTED_AUI} (commissions without a user), per unit and figure`, labelNames: ['unit', 'figure'], registers: [registry] });
  const payouts = new Gauge({ name: 'earnings_payouts', help: 'Payouts by state and method', labelNames: ['state', 'method'], registers: [registry] });
  const watermark = new Gauge({ name: 'earnings_sync_watermark_age_seconds', help: 'Seconds since a partner API sync last moved its watermark (all its windows in)', labelNames: ['sync'], registers: [registry] });
  // Every read below is a view its owner publishes (ledger projector, payout service, ingest), never their tables.
  return async () => {
    for (const [outbox, view] of [['ledger', 'ledger.outbox_backlog'], ['payout', 'payout_outbox_backlog']] as const) {
      const [row]: { unpublished: string; age: string }[] = await sources.database.query(
        `SELECT unpublished, coalesce(extract(epoch FROM now() - oldest_created_at), 0) AS age FROM ${view}`,
      );
      backlog.set({ outbox }, Number(row.unpublished));
      age.set({ outbox }, Number(row.age));
    }
    unattributed.reset();
    const balances: { unit: string; lifetime: string; pending: string; available: string }[] = await sources.database.query(
      'SELECT unit, lifetime::float8 AS lifetime, pending::float8 AS pending, available::float8 AS available FROM ledger.balance WHERE aui = $1', [UNATTRIBUTED_AUI],
    );
    // Floats only here, for a dashboard: the ledger itself never leaves decimal.
    for (const row of balances) for (const figure of ['lifetime', 'pending', 'available'] as const) unattributed.set({ unit: row.unit, figure }, Number(row[figure]));
    payouts.reset();
    const counts: { state: string; method: string; payouts: string }[] = await sources.database.query('SELECT state, method, payouts FROM payout_count');
    for (const row of counts) payouts.set({ state: row.state, method: row.method }, Number(row.payouts));
    const syncs: { name: string; age: string }[] = await sources.database.query('SELECT name, extract(epoch FROM now() - updated_at) AS age FROM partner_sync_watermark');
    for (const row of syncs) watermark.set({ sync: row.name }, Number(row.age));
  };
}
