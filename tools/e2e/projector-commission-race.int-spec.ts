import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import { Client } from 'pg';
import { ServiceProcess } from '../local-stack/processes';
import {
  createSuiteDatabase, projectFromCurrentEnd, requireTestInfrastructure, RunningApps, signedWildfireCallback, startAnotherInstance, startApps,
  SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp,
} from './test-stack';

/** Commissions per case: the race needs many chances to show (issue 21 saw 1 in 40 counted twice). */
const commissionCount = 500;
/** Pairs of callbacks in flight at once. */
const pairsInFlight = 50;

/**
 * Two versions of one new commission naming different users land in different partitions (keyed
 * by AUI), applied by concurrent transactions, here of two projector instances. Whatever the
 * timing, the commission counts once, for the user its newer version names.
 */
describe('a commission counts once when its versions race through different partitions', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let secondProjector: ServiceProcess;
  let group: string;
  let sql: Client;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('commission_race');
    group = `ledger-projector-race-${uniqueSuffix()}`;
    // Only this suite's messages: the topic is shared with every suite of the run.
    await projectFromCurrentEnd(database.url, group);
    const env = { KAFKA_BROKERS: brokers, DATABASE_URL: database.url, WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY, PROJECTOR_CONSUMER_GROUP: group, PROJECTOR_SESSION_TIMEOUT_MS: '10000' };
    apps = await startApps(['ingest', 'ledger-projector'], env);
    secondProjector = await startAnotherInstance(apps, 'ledger-projector', env);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await secondProjector?.stop();
    await apps?.stopAll();
    await database?.drop();
  });

  /** Sends each commission's two versions at the same moment, `pairsInFlight` commissions at a time. */
  async function race(ownerOfFirst: (index: number) => string, ownerOfSecond: (index: number) => string): Promise<void> {
    const base = Date.UTC(2026, 0, 1);
    // Commission ids of this run only: the topic is shared with every suite.
    const firstId = 100_000_000 + Math.floor(Math.random() * 800_000) * 1_000;
    const send = async (index: number, aui: string, modifiedMs: number) => {
      const modifiedDate = new Date(modifiedMs).toISOString().replace('Z', '123Z');
      const callback = signedWildfireCallback({ id: firstId + index, aui, status: 'paid', amount: '10.00', eventDate: '2026-01-01T00:00:00Z', modifiedDate });
      const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body });
      if (response.status !== 200) throw new Error(`callback for commission ${firstId + index} answered ${response.status}: ${await response.text()}`);
    };
    for (let start = 0; start < commissionCount; start += pairsInFlight) {
      const pairs = Array.from({ length: Math.min(pairsInFlight, commissionCount - start) }, (_, offset) => start + offset);
      await Promise.all(pairs.flatMap((index) => [send(index, ownerOfFirst(index), base + index * 10_000), send(index, ownerOfSecond(index), base + index * 10_000 + 1_000)]));
    }
    await waitForProjectorToCatchUp(database.url, group, 120_000);
  }

  const lifetimes = async (auiPattern: string): Promise<Map<string, string>> => {
    const schema = (await sql.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
    const rows = (await sql.query(`SELECT aui, lifetime::text FROM ${schema}.balance WHERE aui LIKE $1 AND lifetime <> 0`, [auiPattern])).rows as { aui: string; lifetime: string }[];
    return new Map(rows.map((row) => [row.aui, row.lifetime]));
  };

  it('moves each commission to the newer owner: the first owner keeps nothing, the second has it once', async () => {
    const run = uniqueSuffix();
    await race((index) => `race-${run}-first-${index}`, (index) => `race-${run}-second-${index}`);
    expect([...(await lifetimes(`race-${run}-first-%`)).entries()]).toEqual([]);
    const second = await lifetimes(`race-${run}-second-%`);
    expect(second.size).toBe(commissionCount);
    expect([...second.values()].filter((lifetime) => lifetime !== '10')).toEqual([]);
  });

  it('a first version without a user leaves nothing in the unattributed pool once the user is named', async () => {
    const run = uniqueSuffix();
    await race(() => '', (index) => `race-${run}-named-${index}`);
    expect(await lifetimes(UNATTRIBUTED_AUI)).toEqual(new Map());
    const named = await lifetimes(`race-${run}-named-%`);
    expect(named.size).toBe(commissionCount);
    expect([...named.values()].filter((lifetime) => lifetime !== '10')).toEqual([]);
  });
});
