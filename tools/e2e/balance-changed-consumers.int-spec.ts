import { topicSettings, Topics } from '@earnings/contracts';
import { reconcileTopics } from '@earnings/kafka';
import { Client } from 'pg';
import { createSuiteDatabase, eventually, produceEvents, queryApiKey, readWholeTopic, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, testKafka, uniqueSuffix } from './test-stack';

/**
 * Issue 15: both consumers of earnings.balance-changed.v1 (the payout service's balance view and
 * the query service's live feed) check each message against the BalanceChanged schema. A message
 * that breaks it goes to earnings.balance-changed.dlq.v1 with the reason and the consumer's
 * group; neither service crashes or stops being ready, and the next good message is applied.
 * Issue 26: the payout service's reward consumer does the same with commission-observed.
 */
describe('messages that break their schema at the payout and query services', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const prefix = `bc-contract-${uniqueSuffix()}`;
  const payoutGroup = `${prefix}-payout`;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    // The setup step's job in production; the shared test broker may predate the dead-letter topic.
    await reconcileTopics(testKafka('balance-changed-e2e'), topicSettings(3), { replicationFactor: 1, minInSyncReplicas: 1 });
    database = await createSuiteDatabase('balance_changed_contract');
    apps = await startApps(['payout', 'query'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...queryApiKey().env,
      PAYOUT_CONSUMER_GROUP: payoutGroup, PAYOUT_AUI_PREFIX: `${prefix}-`, PAYOUT_RUN_CRON: '0 0 1 1 *',
    });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  it('goes to the dead-letter topic from each consumer, and both keep applying what follows', async () => {
    const broken = `${prefix}-broken`;
    const good = `${prefix}-good`;
    await produceEvents(Topics.balanceChanged, [
      // Two ways to break it: an amount as a JSON number (a float), and no sequence at all.
      { key: broken, value: { ...balanceChanged(broken, '1'), available: 12.5 } },
      { key: broken, value: { ...balanceChanged(broken, '2'), sequence: undefined } },
      { key: good, value: balanceChanged(good, '1') },
    ]);

    const view = await eventually(() => payoutView(database.url, prefix), (rows) => rows.length > 0, 60_000);
    expect(view).toEqual([{ aui: good, available: '7.5' }]);

    const letters = await eventually(
      async () => (await readWholeTopic(Topics.balanceChangedDeadLetter)).filter((letter) => letter.key === broken),
      (found) => found.filter((letter) => letter.headers.dlq_consumer === payoutGroup).length === 2 && found.filter((letter) => letter.headers.dlq_consumer?.startsWith('earnings-query-live-')).length === 2,
      60_000,
    );
    for (const letter of letters) {
      expect(letter.headers.dlq_topic).toBe(Topics.balanceChanged);
      expect(letter.headers.dlq_reason).toMatch(/available|sequence/);
    }
    for (const app of ['payout', 'query'] as const) expect((await fetch(apps.url(app, '/health/ready'))).status).toBe(200);
  }, 120_000);

  it('a commission-observed message the payout reward consumer cannot read goes to the dead-letter topic naming its group, and the consumer stays ready', async () => {
    const broken = `${prefix}-unreadable-observation`;
    // Issue 26: the reward consumer used to skip such a message with a log line and no letter.
    await produceEvents(Topics.commissionObserved, [{ key: broken, value: { type: 'CommissionObserved', schemaVersion: 1, aui: broken, userAmount: 25 } }]);
    const letters = await eventually(
      async () => (await readWholeTopic(Topics.commissionObservedDeadLetter)).filter((letter) => letter.key === broken && letter.headers.dlq_consumer === `${payoutGroup}-rewards`),
      (found) => found.length > 0,
      60_000,
    );
    expect(letters[0].headers).toMatchObject({ dlq_topic: Topics.commissionObserved });
    expect(letters[0].headers.dlq_reason.length).toBeGreaterThan(0);
    expect((await fetch(apps.url('payout', '/health/ready'))).status).toBe(200);
  }, 120_000);
});

function balanceChanged(aui: string, sequence: string): Record<string, unknown> {
  return {
    type: 'BalanceChanged', schemaVersion: 1, aui, unit: 'USD', sequence, lifetime: '7.5', pending: '0', available: '7.5', paidOut: '0',
    paidByNetwork: '0', reserved: '0', pendingReversals: '0', causedBy: [`${aui}-observation`], changedAt: '2026-01-01T00:00:00.000000Z',
  };
}

async function payoutView(databaseUrl: string, prefix: string): Promise<{ aui: string; available: string }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT aui, available::text AS available FROM payout_balance WHERE aui LIKE $1 ORDER BY aui', [`${prefix}-%`]);
    return result.rows;
  } finally {
    await client.end();
  }
}
