import { Client } from 'pg';
import { Decimal } from '@earnings/domain';
import { createSuiteDatabase, eventually, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

// FirstPromoter webhooks are retried by FirstPromoter but are not the record: a webhook dropped
// on the way is repaired by the next reconciliation pull, and a redelivered one counts once.

interface Balance { aui: string; unit: string; lifetime: string; pending: string; available: string }
const describeBalance = (balance: Balance) =>
  `${balance.aui} ${balance.unit} lifetime=${new Decimal(balance.lifetime).toFixed()} pending=${new Decimal(balance.pending).toFixed()} available=${new Decimal(balance.available).toFixed()}`;

describe('FirstPromoter reconciliation repairs dropped webhooks; redeliveries count once', () => {
  const suffix = uniqueSuffix();
  const auiPrefix = `fp-${suffix}-`;
  const projectorGroup = `ledger-projector-${suffix}`;
  const webhookSecret = `fp-secret-${suffix}`;
  let database: SuiteDatabase;
  let apps: RunningApps;

  const ingestEnv = (withApi: boolean) => ({
    KAFKA_BROKERS: requireTestInfrastructure().brokers,
    DATABASE_URL: database.url,
    WILDFIRE_CALLBACK_KEYS: 'unused-in-this-suite',
    FIRSTPROMOTER_WEBHOOK_SECRETS: webhookSecret,
    FIRSTPROMOTER_API_KEY: withApi ? 'fp-test-key' : '',
    FIRSTPROMOTER_ACCOUNT_ID: 'fp-test-account',
    FIRSTPROMOTER_API_BASE_URL: `${apps.url('partner-simulator', '')}/api/v2/company`,
  });

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('firstpromoter_reconciliation');
    apps = await startApps(['partner-simulator', 'ledger-projector'], {
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      PROJECTOR_CONSUMER_GROUP: projectorGroup,
      SIMULATOR_SEED: `fp-${suffix}`,
      SIMULATOR_AUI_PREFIX: auiPrefix,
      SIMULATOR_USERS: '1',
      SIMULATOR_COMMISSIONS: '1',
      SIMULATOR_FIRSTPROMOTER_COMMISSIONS: '120',
      SIMULATOR_FIRSTPROMOTER_WEBHOOK_SECRET: webhookSecret,
      FIRSTPROMOTER_API_KEY: 'fp-test-key',
      FIRSTPROMOTER_ACCOUNT_ID: 'fp-test-account',
    });
    await restartApp(apps, 'ingest', ingestEnv(false));
  });

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  async function query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const schema = (await client.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
      return (await client.query(sql.replaceAll('{schema}', schema), parameters)).rows as T[];
    } finally {
      await client.end();
    }
  }

  const ledger = async () =>
    new Set((await query<Balance>(`SELECT aui, unit, lifetime::text, pending::text, available::text FROM {schema}.balance WHERE aui LIKE $1 AND (lifetime <> 0 OR pending <> 0 OR available <> 0)`, [`${auiPrefix}%`])).map(describeBalance));
  const truth = async () => new Set(((await (await fetch(apps.url('partner-simulator', '/_admin/firstpromoter/expected-balances'))).json()) as Balance[]).map(describeBalance));

  it('webhooks alone leave gaps; redeliveries add nothing; one pull makes every balance exact', async () => {
    const sent = (await (await fetch(apps.url('partner-simulator', '/_admin/firstpromoter/webhooks/send'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: apps.url('ingest', '/webhooks/firstpromoter'), dropFraction: 0.3, redeliverFraction: 0.3 }),
    })).json()) as { sent: number; dropped: number; redelivered: number; failed: number };
    expect(sent.failed).toBe(0);
    expect(sent.dropped).toBeGreaterThan(0);
    expect(sent.redelivered).toBeGreaterThan(0);
    await waitForProjectorToCatchUp(database.url, projectorGroup);

    // Each version that arrived is in the audit history once, however often it was delivered.
    const versions = await query<{ count: string; distinct: string }>(
      `SELECT count(*)::text AS count, count(DISTINCT (source, commission_id, modified_date))::text AS distinct FROM {schema}.commission_version WHERE aui LIKE $1`,
      [`${auiPrefix}%`],
    );
    expect(versions[0].count).toBe(versions[0].distinct);
    expect(Number(versions[0].count)).toBe(sent.sent - sent.redelivered);

    const expected = await truth();
    const afterWebhooks = await ledger();
    expect([...expected].filter((balance) => !afterWebhooks.has(balance)).length).toBeGreaterThan(0);

    await apps.services.get('ingest')!.stop();
    await restartApp(apps, 'ingest', ingestEnv(true));
    const repaired = await eventually(ledger, (balances) => balances.size === expected.size && [...expected].every((balance) => balances.has(balance)), 60_000);
    expect([...repaired].sort()).toEqual([...expected].sort());
  });
});
