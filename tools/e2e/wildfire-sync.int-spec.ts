import { Client } from 'pg';
import { Decimal } from '@earnings/domain';
import { ServiceProcess } from '../local-stack/processes';
import { createSuiteDatabase, eventually, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

// Issue 3's acceptance run: callbacks are best effort (30% dropped here, as Wildfire never
// retries), and one Commission API sync repairs every balance, through a partner outage and a
// crash of ingest mid-window, never calling the API faster than once per 5 s.

interface ExpectedBalance { aui: string; unit: string; lifetime: string; pending: string; available: string; paidByNetwork: string }
interface LoggedRequest { time: string; path: string; status: number | null }

const apiIntervalMs = 5_000;
const canonical = (value: string) => new Decimal(value).toFixed();
const isZero = (balance: ExpectedBalance) => [balance.lifetime, balance.pending, balance.available, balance.paidByNetwork].every((value) => new Decimal(value).isZero());
const keyOf = (balance: ExpectedBalance) => `${balance.aui} ${balance.unit} lifetime=${canonical(balance.lifetime)} pending=${canonical(balance.pending)} available=${canonical(balance.available)} paidByNetwork=${canonical(balance.paidByNetwork)}`;

describe('the Wildfire Commission API sync repairs what dropped callbacks lost', () => {
  const suffix = uniqueSuffix();
  const auiPrefix = `sync-${suffix}-`;
  const projectorGroup = `ledger-projector-${suffix}`;
  let database: SuiteDatabase;
  let apps: RunningApps;
  let ingest: ServiceProcess | null = null;
  let simulatorUrl: string;

  const syncEnv = () => ({
    KAFKA_BROKERS: requireTestInfrastructure().brokers,
    DATABASE_URL: database.url,
    WILDFIRE_CALLBACK_KEYS: 'sync-test-callback-key',
    WILDFIRE_API_BASE_URL: simulatorUrl,
    WILDFIRE_APP_ID: 'sync-test-app',
    WILDFIRE_APP_SECRET: 'sync-test-secret',
    WILDFIRE_DEVICE_TOKEN: 'sync-test-device',
    WILDFIRE_SENDER_TOKEN: 'sync-test-sender',
    WILDFIRE_SYNC_ON_START: 'true',
    WILDFIRE_SYNC_INITIAL_START: '2000-01-01T00:00:00Z',
    WILDFIRE_API_PAGE_LIMIT: '1000',
    WILDFIRE_API_REQUEST_TIMEOUT_MS: '2000',
  });

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('wildfire_sync');
    apps = await startApps(['partner-simulator', 'ledger-projector', 'query'], {
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      PROJECTOR_CONSUMER_GROUP: projectorGroup,
      SIMULATOR_SEED: `sync-${suffix}`,
      SIMULATOR_AUI_PREFIX: auiPrefix,
      SIMULATOR_USERS: '500',
      SIMULATOR_COMMISSIONS: '5000',
      SIMULATOR_API_INTERVAL_MS_MIN: String(apiIntervalMs),
      SIMULATOR_FAULT_HANG_MS: '5000',
      WILDFIRE_CALLBACK_KEY: 'sync-test-callback-key',
      WILDFIRE_APP_ID: 'sync-test-app',
      WILDFIRE_APP_SECRET: 'sync-test-secret',
      WILDFIRE_DEVICE_TOKEN: 'sync-test-device',
      WILDFIRE_SENDER_TOKEN: 'sync-test-sender',
    });
    simulatorUrl = apps.url('partner-simulator', '');
  });

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });


  async function ledgerBalances(): Promise<Set<string>> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const schema = (await client.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
      const rows = await client.query(
        `SELECT aui, unit, lifetime::text, pending::text, available::text, paid_by_network::text AS "paidByNetwork" FROM ${schema}.balance WHERE aui LIKE $1`,
        [`${auiPrefix}%`],
      );
      return new Set((rows.rows as ExpectedBalance[]).filter((balance) => !isZero(balance)).map(keyOf));
    } finally {
      await client.end();
    }
  }

  async function simulatorTruth(): Promise<Set<string>> {
    const expected = (await (await fetch(`${simulatorUrl}/_admin/expected-balances?version=v4`)).json()) as ExpectedBalance[];
    return new Set(expected.filter((balance) => !isZero(balance)).map(keyOf));
  }

  async function syncedThrough(): Promise<string | null> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = await client.query(`SELECT synced_through::text FROM sync_watermark WHERE name = 'wildfire-commissions'`);
      return rows.rows[0]?.synced_through ?? null;
    } finally {
      await client.end();
    }
  }

  const apiRequestList = async (): Promise<LoggedRequest[]> =>
    ((await (await fetch(`${simulatorUrl}/_admin/requests`)).json()) as LoggedRequest[]).filter((request) => /\/v\d\/commission/.test(request.path));

  it('loses balances to dropped callbacks, then one API sync through an outage and a crash makes every balance exact', async () => {
    // 1. Callbacks only, 30% dropped.
    ingest = await restartApp(apps, 'ingest', { ...syncEnv(), WILDFIRE_API_BASE_URL: '' });
    const sent = (await (await fetch(`${simulatorUrl}/_admin/callbacks/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: apps.url('ingest', '/callbacks/wildfire'), dropFraction: 0.3, versions: ['v4'] }),
    })).json()) as { sent: number; dropped: number; failed: number };
    expect(sent.failed).toBe(0);
    expect(sent.dropped / (sent.sent + sent.dropped)).toBeGreaterThan(0.25);
    expect(sent.dropped / (sent.sent + sent.dropped)).toBeLessThan(0.35);
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);
    const truth = await simulatorTruth();
    expect(truth.size).toBeGreaterThan(400);
    const afterCallbacks = await ledgerBalances();
    expect([...truth].filter((balance) => !afterCallbacks.has(balance)).length).toBeGreaterThan(0);
    await ingest.stop();

    // 2. An outage at Wildfire: a 503, a request that hangs past the client timeout, a malformed page.
    await fetch(`${simulatorUrl}/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serverErrors: 1, timeouts: 1, malformed: 1 }) });

    // 3. The scheduled sync starts with ingest; kill ingest (SIGKILL) after two good pages of the window.
    ingest = await restartApp(apps, 'ingest', syncEnv());
    await eventually(async () => (await apiRequestList()).filter((request) => request.status === 200).length, (pages) => pages >= 2, 120_000);
    await ingest.kill();
    expect(await syncedThrough()).toBeNull();

    // 4. Restarted, the sync re-pulls the whole window and moves the watermark once every page is in Kafka.
    ingest = await restartApp(apps, 'ingest', syncEnv());
    await eventually(syncedThrough, (value) => value !== null, 180_000);
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);
    const afterSync = await ledgerBalances();
    expect([...truth].filter((balance) => !afterSync.has(balance))).toEqual([]);
    expect([...afterSync].filter((balance) => !truth.has(balance))).toEqual([]);

    // 5. The partner's own log: the faults happened, were backed off from, and no two calls came within 5 s.
    // Arrival times with millisecond precision, as the partner measures them.
    const requests = (await apiRequestList()).map((request) => ({ ...request, arrivedAtMs: Date.parse(request.time) })).sort((left, right) => left.arrivedAtMs - right.arrivedAtMs);
    const statuses = requests.map((request) => request.status);
    expect(statuses).toContain(503);
    expect(statuses).toContain(null);
    expect(statuses).not.toContain(429);
    const gaps = requests.slice(1).map((request, index) => request.arrivedAtMs - requests[index].arrivedAtMs);
    expect(requests.length).toBeGreaterThanOrEqual(8);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(apiIntervalMs);
    console.log(JSON.stringify({ callbacksSent: sent.sent, callbacksDropped: sent.dropped, balances: truth.size, apiCalls: requests.length, statuses, minimumGapMs: Math.min(...gaps) }));
  }, 420_000);
});
