import { CommissionObserved, Topics } from '@earnings/contracts';
import { Client } from 'pg';
import { BalanceFigures } from '@earnings/testing';
import { expectedBalancesBruteForce, generateScenario, produceScenario, readProjectedBalances } from './ledger-scenario';
import { createSuiteDatabase, eventually, produceEvents, projectFromCurrentEnd, readWholeTopic, requireTestInfrastructure, runRebuildCommand, RunningApps, startApps, SuiteDatabase, uniqueSuffix } from './test-stack';

/**
 * Issue 17, finding 1: one message PostgreSQL refuses (a NUL byte in a text field) used to stop
 * its partition for good, the projector retrying the chunk forever. Now it goes to the
 * dead-letter topic with the reason, and every good message before and after it is applied.
 */
describe('a poison message among good ones', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const consumerGroup = `projector-poison-${uniqueSuffix()}`;
  const prefix = `poison-${uniqueSuffix()}`;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('projector_poison');
    await projectFromCurrentEnd(database.url, consumerGroup);
    apps = await startApps(['ledger-projector'], { KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: consumerGroup, LOG_LEVEL: 'warn' });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  it('dead-letters the refused messages with the reason and applies every good one around them', async () => {
    const { brokers } = requireTestInfrastructure();
    const before = generateScenario({ seed: 17, auiPrefix: `${prefix}-a`, observationCount: 300 });
    const after = generateScenario({ seed: 18, auiPrefix: `${prefix}-b`, observationCount: 300 });
    await produceScenario(brokers, before);
    // Keyed by AUIs of both scenarios, so the poison sits in partitions that hold good messages on both sides of it.
    await produceEvents(Topics.commissionObserved, poisonMessages(before.observations[0], after.observations[0], prefix));
    await produceScenario(brokers, after);

    const expected = new Map<string, BalanceFigures>([...expectedBalancesBruteForce(before), ...expectedBalancesBruteForce(after)]);
    const differences = await eventually(async () => mismatches(await readProjectedBalances(database.url, prefix), expected), (found) => found.length === 0, 90_000);
    expect(differences).toEqual([]);

    // This projector's letters: a payout service's reward consumer on the shared broker may set the same messages aside under its own group.
    const dead = await eventually(async () => (await readWholeTopic(Topics.commissionObservedDeadLetter)).filter((message) => message.value.includes(`${prefix}-poison`) && message.headers.dlq_consumer === consumerGroup), (found) => found.length === 3, 30_000);
    expect(dead.map((message) => message.headers.dlq_reason).every((reason) => reason.length > 0)).toBe(true);
    expect(dead.map((message) => message.headers.dlq_topic)).toEqual([Topics.commissionObserved, Topics.commissionObserved, Topics.commissionObserved]);
  }, 180_000);

  it('a rebuild by bulk load meets the same messages, sets them aside, and ends with the same balances, versions and commissions', async () => {
    const { brokers } = requireTestInfrastructure();
    const report = await runRebuildCommand({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers, PROJECTOR_CONSUMER_GROUP: consumerGroup }, [`--aui-prefix=${prefix}-`]);
    expect(report).toMatchObject({ replayedBy: 'bulk load', differenceCount: 0, differences: [] });
    // Beyond the balances: the same versions applied (duplicates and stale versions left out alike) and the same latest commissions.
    expect(await rowsOnlyInOne(database.url, report.liveSchema, report.rebuiltSchema, 'commission_version', versionColumns, `${prefix}-`)).toEqual([]);
    expect(await rowsOnlyInOne(database.url, report.liveSchema, report.rebuiltSchema, 'commission', commissionColumns, `${prefix}-`)).toEqual([]);
  }, 180_000);

  it('a rebuild whose bulk load PostgreSQL refuses (a date it cannot store) replays chunk by chunk and ends with the same balances', async () => {
    const { brokers } = requireTestInfrastructure();
    const template: CommissionObserved = { ...generateScenario({ seed: 19, auiPrefix: `${prefix}-c`, observationCount: 1 }).observations[0], state: 'PENDING', userAmount: '3.25' };
    // Month 13 passes the contract's pattern; PostgreSQL refuses it (22008), so the live projector dead-letters it.
    const badDate = { ...template, commissionId: `${prefix}-poison-date`, observationId: `${prefix}-poison-date`, eventDate: '2025-13-01T00:00:00Z' };
    await produceEvents(Topics.commissionObserved, [{ key: template.aui, value: badDate }, { key: template.aui, value: template }]);
    await eventually(async () => (await readWholeTopic(Topics.commissionObservedDeadLetter)).filter((message) => message.value.includes(`${prefix}-poison-date`) && message.headers.dlq_consumer === consumerGroup), (found) => found.length === 1, 60_000);
    await eventually(async () => (await readProjectedBalances(database.url, `${prefix}-c`)).size, (count) => count === 1, 60_000);

    const report = await runRebuildCommand({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers, PROJECTOR_CONSUMER_GROUP: consumerGroup }, [`--aui-prefix=${prefix}-`]);
    expect(report).toMatchObject({ replayedBy: 'chunk by chunk', differenceCount: 0, differences: [] });
  }, 240_000);
});

const versionColumns = ['source', 'commission_id', 'modified_date', 'observation_id', 'aui', 'unit', 'user_amount', 'state', 'source_status', 'channel', 'event_partition', 'event_offset'];
const commissionColumns = [
  'source', 'commission_id', 'aui', 'unit', 'user_amount', 'application_amount', 'state', 'source_status', 'paid_by_network', 'sale_amount',
  'sale_currency', 'application_id', 'merchant_id', 'merchant_order_id', 'event_date', 'modified_date', 'observation_id', 'channel', 'locking_date',
];

/** Rows of `table` (these columns, AUIs with the prefix) that one schema has and the other has not, at most 20. */
async function rowsOnlyInOne(databaseUrl: string, left: string, right: string, table: string, columns: string[], auiPrefix: string): Promise<unknown[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const select = (schema: string) => `SELECT '${schema}' AS only_in, ${columns.join(', ')} FROM ${schema}.${table} WHERE starts_with(aui, $1)`;
    const except = (from: string, without: string) => `(${select(from)} EXCEPT ALL ${select(without).replace(`'${without}' AS only_in`, `'${from}' AS only_in`)})`;
    const { rows } = await client.query(`${except(left, right)} UNION ALL ${except(right, left)} LIMIT 20`, [auiPrefix]);
    return rows;
  } finally {
    await client.end();
  }
}

/** The figures every projection has had from the start; other figures are compared by the suites that introduce them. */
const comparedFigures = ['lifetime', 'pending', 'payable', 'paidByNetwork', 'paidOut'] as const;

function mismatches(actual: Map<string, BalanceFigures>, expected: Map<string, BalanceFigures>): string[] {
  const found: string[] = [];
  for (const key of new Set([...actual.keys(), ...expected.keys()])) {
    for (const figure of comparedFigures) {
      const got = actual.get(key)?.[figure]?.toFixed() ?? '0';
      const wanted = expected.get(key)?.[figure]?.toFixed() ?? '0';
      if (got !== wanted) found.push(`${key} ${figure}: ${got} != ${wanted}`);
    }
  }
  return found;
}

/**
 * Three messages the old schema accepted and PostgreSQL refuses: a NUL in a text column, a NUL in
 * the order id (also refused by today's schema), a lone surrogate that jsonb cannot store.
 */
function poisonMessages(first: CommissionObserved, second: CommissionObserved, prefix: string): { key: string; value: object }[] {
  const poison = (template: CommissionObserved, name: string, change: Partial<CommissionObserved>) => ({
    key: template.aui,
    value: { ...template, commissionId: `${prefix}-poison-${name}`, observationId: `${prefix}-poison-${name}`, ...change },
  });
  return [
    poison(first, 'status', { sourceStatus: 'paid\u0000' }),
    poison(second, 'order', { merchantOrderId: 'order\u0000' }),
    poison(first, 'surrogate', { merchantOrderId: 'order\ud800' }),
  ];
}
