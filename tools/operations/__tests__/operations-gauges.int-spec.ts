import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { createDataSource, currentProjectionSchema } from '@earnings/persistence';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { createSuiteDatabase, SuiteDatabase } from '../../e2e/test-stack';
import { registerOperationsGauges } from '../operations-gauges';

/**
 * The exporter's PostgreSQL gauges, read through the views each table's owner publishes
 * (ledger.outbox_backlog, ledger.balance, payout_outbox_backlog, payout_count, partner_sync_watermark),
 * against a migrated database. Kafka is not given: its gauges report the source down and the
 * database's still come.
 */
describe('operations gauges over the published views', () => {
  let database: SuiteDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createSuiteDatabase('operations_gauges');
    dataSource = createDataSource({ url: database.url, applicationName: 'operations-gauges-test' });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function scrape(): Promise<{ value: (name: string, labels: Record<string, string>) => number | undefined; failures: string[] }> {
    const registry = new Registry();
    const failures: string[] = [];
    const gauges = registerOperationsGauges(registry, {
      cluster: null as never, database: dataSource, projectorGroup: 'ledger-projector', payoutGroup: 'payout-balances', payoutRewardGroup: 'payout-balances-rewards',
      onReadFailure: (source) => failures.push(source),
    });
    await gauges.refresh();
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string, labels: Record<string, string>) => metrics.find((metric) => metric.name === name)?.values
      .find((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;
    return { value, failures };
  }

  it('reads outbox backlogs, unattributed money, payouts by state and sync ages from the owners\' views', async () => {
    const schema = await currentProjectionSchema(dataSource);
    await dataSource.query(`INSERT INTO "${schema}".outbox (topic, message_key, payload, headers, created_at) VALUES ('t', 'k', '{}', '{}', now() - interval '60 seconds'), ('t', 'k', '{}', '{}', now())`);
    await dataSource.query(`INSERT INTO "${schema}".outbox (topic, message_key, payload, headers, published_at) VALUES ('t', 'k', '{}', '{}', now())`);
    await dataSource.query(`INSERT INTO "${schema}".balance (aui, unit, lifetime, pending, payable) VALUES ($1, 'USD', 12.5, 2.5, 10)`, [UNATTRIBUTED_AUI]);
    await dataSource.query(`INSERT INTO payout_outbox (topic, message_key, payload) VALUES ('t', 'k', '{}')`);
    await dataSource.query(
      `INSERT INTO payout (payout_id, idempotency_key, aui, unit, amount, method, destination, covered_commissions, run_id, state, review_state)
       VALUES ('p1', 'k1', 'alice', 'USD', 10, 'paypal', 'a@example.com', '[]', 'r', 'requested', NULL),
              ('p2', 'k2', 'bob', 'USD', 10, 'paypal', 'b@example.com', '[]', 'r', 'requested', 'approved'),
              ('p3', 'k3', 'carol', 'USD', 10, 'account_credit', NULL, '[]', 'r', 'succeeded', NULL),
              ('p4', 'k4', 'dave', 'USD', 90, 'paypal', 'd@example.com', '[]', 'r', 'requested', 'pending')`,
    );
    await dataSource.query(`INSERT INTO sync_watermark (name, synced_through, updated_at) VALUES ('wildfire-commissions', now(), now() - interval '120 seconds')`);

    const { value, failures } = await scrape();
    expect(failures).toEqual(['kafka']);
    expect(value('earnings_operations_source_up', { source: 'postgres' })).toBe(1);
    expect(value('earnings_outbox_backlog_rows', { outbox: 'ledger' })).toBe(2);
    expect(value('earnings_outbox_oldest_age_seconds', { outbox: 'ledger' })).toBeGreaterThanOrEqual(60);
    expect(value('earnings_outbox_backlog_rows', { outbox: 'payout' })).toBe(1);
    expect(value('earnings_unattributed_amount', { unit: 'USD', figure: 'lifetime' })).toBe(12.5);
    expect(value('earnings_unattributed_amount', { unit: 'USD', figure: 'available' })).toBe(10);
    expect(value('earnings_payouts', { state: 'requested', method: 'paypal' })).toBe(2);
    expect(value('earnings_payouts', { state: 'succeeded', method: 'account_credit' })).toBe(1);
    // Waiting for the partner's review is not in flight: EarningsPayoutsInFlightTooLong leaves it alone.
    expect(value('earnings_payouts', { state: 'in-review', method: 'paypal' })).toBe(1);
    expect(value('earnings_sync_watermark_age_seconds', { sync: 'wildfire-commissions' })).toBeGreaterThanOrEqual(120);
  });

  it('follows a rebuild\'s switch: the republished ledger.outbox_backlog reads the new projection', async () => {
    await dataSource.query(`SELECT create_ledger_projection('ledger_gauges_rebuilt')`);
    await dataSource.query(`INSERT INTO ledger_gauges_rebuilt.outbox (topic, message_key, payload, headers) SELECT 't', 'k', '{}', '{}' FROM generate_series(1, 5)`);
    await dataSource.query(`SELECT publish_ledger_views('ledger_gauges_rebuilt')`);
    const { value } = await scrape();
    expect(value('earnings_outbox_backlog_rows', { outbox: 'ledger' })).toBe(5);
  });
});
