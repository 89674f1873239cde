import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { canonicalTimestamp, Decimal } from '@earnings/domain';
import { createSuiteDatabase, eventually, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * Issue 24: a partner going live with existing users gets their whole history from the first
 * sync, without knowing about the backfill command: no WILDFIRE_SYNC_INITIAL_START is set here.
 * The first window is long, so it says how far it got every few seconds (pages, records, the
 * modified date reached) and, stopped half-way (SIGKILL), goes on from where it stopped.
 */
interface ExpectedBalance { aui: string; unit: string; lifetime: string; pending: string; available: string; paidByNetwork: string }
interface LoggedRequest { time: string; path: string; status: number | null }
interface LogLine { msg?: string; pages?: number; observations?: number; modifiedDateReached?: string | null; kind?: string; start?: string }

const canonical = (value: string) => new Decimal(value).toFixed();
const keyOf = (balance: ExpectedBalance) => `${balance.aui} ${balance.unit} ${canonical(balance.lifetime)} ${canonical(balance.pending)} ${canonical(balance.available)} ${canonical(balance.paidByNetwork)}`;
const isZero = (balance: ExpectedBalance) => [balance.lifetime, balance.pending, balance.available, balance.paidByNetwork].every((value) => new Decimal(value).isZero());

describe('the first Wildfire sync pulls the whole history, resumably, saying how far it got', () => {
  const suffix = uniqueSuffix();
  const auiPrefix = `first-${suffix}-`;
  const projectorGroup = `first-sync-${suffix}`;
  let database: SuiteDatabase;
  let apps: RunningApps;
  let simulatorUrl: string;

  const ingestEnv = () => ({
    KAFKA_BROKERS: requireTestInfrastructure().brokers, DATABASE_URL: database.url, WILDFIRE_CALLBACK_KEYS: 'first-sync-callback-key',
    WILDFIRE_API_BASE_URL: simulatorUrl, WILDFIRE_APP_ID: 'first-app', WILDFIRE_APP_SECRET: 'first-secret', WILDFIRE_DEVICE_TOKEN: 'first-device', WILDFIRE_SENDER_TOKEN: 'first-sender',
    WILDFIRE_SYNC_ON_START: 'true', WILDFIRE_API_PAGE_LIMIT: '25', WILDFIRE_API_REQUEST_INTERVAL_MS_MIN: '400', WILDFIRE_SYNC_PROGRESS_LOG_INTERVAL_MS: '1000',
    WILDFIRE_MERCHANT_SYNC_INTERVAL_HOURS: '0', LOG_LEVEL: 'info',
  });

  const query = async <Row>(sql: string): Promise<Row[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Row[];
    } finally {
      await client.end();
    }
  };

  const commissionRequests = async (): Promise<LoggedRequest[]> =>
    ((await (await fetch(`${simulatorUrl}/_admin/requests`)).json()) as LoggedRequest[]).filter((request) => request.path.startsWith('/v4/commission'));
  const startOf = (request: LoggedRequest) => new URL(request.path, 'http://x').searchParams.get('start_modified_date');
  const ingestLog = (): LogLine[] => readFileSync(join(apps.logDirectory, `ingest-${apps.ports.ingest}.log`), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('wildfire_first_sync');
    apps = await startApps(['partner-simulator', 'ledger-projector'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: projectorGroup,
      SIMULATOR_SEED: `first-${suffix}`, SIMULATOR_AUI_PREFIX: auiPrefix, SIMULATOR_USERS: '30', SIMULATOR_COMMISSIONS: '400', SIMULATOR_API_INTERVAL_MS_MIN: '400',
      WILDFIRE_APP_ID: 'first-app', WILDFIRE_APP_SECRET: 'first-secret', WILDFIRE_DEVICE_TOKEN: 'first-device', WILDFIRE_SENDER_TOKEN: 'first-sender',
    });
    simulatorUrl = apps.url('partner-simulator', '');
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  it('starts at the beginning of the history, logs its progress, resumes after a crash and ends with every balance exact', async () => {
    // 1. The first run starts from the whole history and notes how far it got after each page; killed after six pages.
    const ingest = await restartApp(apps, 'ingest', ingestEnv());
    await eventually(async () => (await commissionRequests()).filter((request) => request.status === 200).length, (pages) => pages >= 6, 120_000);
    await ingest.kill();
    const firstRun = await commissionRequests();
    expect(startOf(firstRun[0])).toBe('2000-01-01T00:00:00.000000Z');
    expect(await query('SELECT * FROM sync_watermark')).toEqual([]);
    const [{ resume_from: resumeFrom }] = await query<{ resume_from: string }>('SELECT resume_from::text FROM sync_resume_point');
    expect(ingestLog().find((line) => line.msg === 'wildfire commission sync started')).toMatchObject({ kind: expect.stringContaining('first sync') });

    // 2. Restarted, it goes on from the modified date it had reached, not from the beginning.
    await restartApp(apps, 'ingest', ingestEnv());
    await eventually(() => query('SELECT * FROM sync_watermark'), (rows) => rows.length === 1, 180_000);
    const secondRun = (await commissionRequests()).slice(firstRun.length).filter((request) => request.status === 200);
    expect(canonicalTimestamp(startOf(secondRun[0]) as string)).toBe(canonicalTimestamp(resumeFrom));
    expect(ingestLog().some((line) => line.msg === 'wildfire commission sync started' && line.kind === 'resuming an unfinished window')).toBe(true);
    expect(await query('SELECT * FROM sync_resume_point')).toEqual([]);
    // Every second (as configured here; 5 s by default) it said how far it got.
    const progress = ingestLog().filter((line) => line.msg === 'wildfire commission sync progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toMatchObject({ pages: expect.any(Number), observations: expect.any(Number), modifiedDateReached: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/) });

    // 3. Every balance is what the simulator's whole history says.
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);
    const expected = ((await (await fetch(`${simulatorUrl}/_admin/expected-balances?version=v4`)).json()) as ExpectedBalance[]).filter((balance) => !isZero(balance)).map(keyOf);
    const schema = (await query<{ schema_name: string }>(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`))[0].schema_name;
    const ledger = (await query<ExpectedBalance>(
      `SELECT aui, unit, lifetime::text, pending::text, available::text, paid_by_network::text AS "paidByNetwork" FROM ${schema}.balance WHERE aui LIKE '${auiPrefix}%'`,
    )).filter((balance) => !isZero(balance)).map(keyOf);
    expect(expected.length).toBeGreaterThan(20);
    expect(ledger.sort()).toEqual(expected.sort());
    console.log(JSON.stringify({ firstRunPages: firstRun.length, secondRunPages: secondRun.length, progressLines: progress.length, resumeFrom, balances: expected.length }));
  }, 300_000);
});
