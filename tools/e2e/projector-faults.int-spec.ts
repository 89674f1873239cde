import { Topics } from '@earnings/contracts';
import { sendMessages } from '@earnings/kafka';
import { Client } from 'pg';
import { Decimal } from '@earnings/domain';
import { BalanceFigures } from '@earnings/testing';
import { checkProjection, expectedBalancesBruteForce, FaultRun, generateScenario, produceScenario, readProjectedBalances, runProjectorUnderKills } from './ledger-scenario';
import { graphql, queryApiKey, readWholeTopic, requireTestInfrastructure, runRebuildCommand, startApps, testKafka, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * The projector under crashes, then a rebuild by replay over the same data, then poison messages:
 * one projector process (restarted after each SIGKILL) on its own database and consumer group.
 */
describe('the ledger projector under faults', () => {
  let run: FaultRun;

  beforeAll(async () => {
    run = await runProjectorUnderKills({ label: 'projector-faults', seed: 20261121, observationCount: 10_000, killCount: 3, killDelayMsMax: 3_000, catchUpTimeoutMs: 120_000 });
  }, 240_000);

  afterAll(async () => {
    await run?.apps.stopAll();
    await run?.database.drop();
  });

  it('ends with the balances both oracles compute, after SIGKILL at 3 random moments, counting nothing twice', async () => {
    const check = await checkProjection(run.database.url, run.scenario);
    expect(run.kills).toBe(3);
    expect(check.mismatchesWithDomainOracle).toEqual([]);
    expect(check.mismatchesWithBruteForce).toEqual([]);
    expect(check.counts).toEqual({ versionDuplicates: 0, appliedPayouts: check.expectedPayouts, commissions: check.expectedCommissions, commissionsNotLatest: 0 });
  });

  it('rebuilds by replay into a new schema with no difference, switches readers, and the live projector follows', async () => {
    const before = await pointer(run.database.url);
    // Only this run's AUIs: other suites on the shared broker reuse commission ids under several AUIs.
    const report = await runRebuildCommand(run.env, ['--switch', '--drop-old', `--aui-prefix=${run.scenario.auiPrefix}-`]);
    // Either path: the shared topic may hold another suite's message that makes PostgreSQL refuse the bulk load.
    expect(report).toMatchObject({ liveSchema: before, differenceCount: 0, differences: [], switched: true, droppedOld: true });
    expect(await pointer(run.database.url)).toBe(report.rebuiltSchema);
    expect(await schemaExists(run.database.url, before)).toBe(false);
    // Readers (SQL through projection_pointer) see the rebuilt schema with the same balances.
    const check = await checkProjection(run.database.url, run.scenario);
    expect(check.mismatchesWithDomainOracle).toEqual([]);
    expect(check.counts.appliedPayouts).toBe(check.expectedPayouts);
    // New events after the switch land in the rebuilt schema: the projector re-targeted.
    const after = generateScenario({ seed: 7, auiPrefix: `${run.scenario.auiPrefix}-after`, observationCount: 50 });
    await produceScenario(requireTestInfrastructure().brokers, after);
    await waitForProjectorToCatchUp(run.database.url, run.consumerGroup);
    expect((await checkProjection(run.database.url, after)).mismatchesWithBruteForce).toEqual([]);
    // GraphQL readers too: these AUIs exist only in the rebuilt schema (the old one is dropped).
    expect(await graphqlMismatches(run, expectedBalancesBruteForce(after))).toEqual([]);
  }, 180_000);

  it('sends bad JSON and schema-invalid messages to the dead-letter topic with the reason, and applies the valid one after them', async () => {
    const auiPrefix = `${run.scenario.auiPrefix}-dlq-${uniqueSuffix()}`;
    const valid = generateScenario({ seed: 11, auiPrefix, observationCount: 1 }).observations[0];
    const aui = valid.aui;
    await sendMessages(testKafka('dlq-test'), [{
      topic: Topics.commissionObserved,
      // One key, so all three land in one partition in this order.
      messages: [
        { key: aui, value: `{"not json ${aui}` },
        { key: aui, value: JSON.stringify({ ...valid, userAmount: 12.5, observationId: `${aui}-invalid` }) },
        { key: aui, value: JSON.stringify(valid) },
      ],
    }]);
    await waitForProjectorToCatchUp(run.database.url, run.consumerGroup);
    const dead = (await readWholeTopic(Topics.commissionObservedDeadLetter)).filter((message) => message.key === aui);
    // At least once: a chunk fetched again (the projector following the switch above, say) sends its dead letters again.
    const byOrigin = new Map(dead.map((message) => [`${message.headers.dlq_partition}/${message.headers.dlq_offset}`, message.headers.dlq_reason]));
    expect([...byOrigin.values()]).toEqual([expect.stringMatching(/^not JSON/), expect.stringContaining('/userAmount must be string')]);
    const balances = await readProjectedBalances(run.database.url, auiPrefix);
    expect([...balances.values()].map((figures) => figures.lifetime.toFixed())).toEqual([valid.userAmount]);
  }, 120_000);
});

/** Asks the query service for every expected (AUI, unit) and lists the figures that differ. */
async function graphqlMismatches(run: FaultRun, expected: Map<string, BalanceFigures>): Promise<string[]> {
  const { brokers } = requireTestInfrastructure();
  const apiKey = queryApiKey();
  const apps = await startApps(['query'], { ...apiKey.env, KAFKA_BROKERS: brokers, DATABASE_URL: run.database.url, LOG_LEVEL: 'warn' });
  try {
    const mismatches: string[] = [];
    for (const { aui, unit, figures } of [...expected].map(([key, figures]) => ({ ...balanceKeyParts(key), figures }))) {
      const answer = await graphql<{ earnings: { balances: { unit: string; lifetime: string; pending: string; available: string; paidOut: string }[] } }>(
        apps.url('query', '/graphql'), earningsQuery, { aui }, apiKey.headers,
      );
      const balance = answer.data?.earnings.balances.find((entry) => entry.unit === unit);
      const wanted = { lifetime: figures.lifetime, pending: figures.pending, paidOut: figures.paidOut, available: figures.payable.minus(figures.paidOut).minus(figures.reserved) };
      for (const [name, value] of Object.entries(wanted)) {
        const got = balance?.[name as keyof typeof wanted];
        if (got === undefined ? !value.isZero() : !new Decimal(got).equals(value)) mismatches.push(`${aui} ${unit} ${name}: ${got} != ${value.toFixed()} ${JSON.stringify(answer.errors ?? [])}`);
      }
    }
    return mismatches;
  } finally {
    await apps.stopAll();
  }
}

const earningsQuery = 'query ($aui: ID!) { earnings(aui: $aui) { balances { unit lifetime pending available paidOut } } }';

function balanceKeyParts(key: string): { aui: string; unit: string } {
  const [aui, unit] = JSON.parse(key) as [string, string];
  return { aui, unit };
}

async function pointer(databaseUrl: string): Promise<string> {
  return (await query(databaseUrl, `SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`))[0].schema_name as string;
}

async function schemaExists(databaseUrl: string, schema: string): Promise<boolean> {
  return (await query(databaseUrl, 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).length === 1;
}

async function query(databaseUrl: string, sql: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}
