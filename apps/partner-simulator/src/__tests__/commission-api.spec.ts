import { wfav1Headers } from '@earnings/sources';
import Decimal from 'decimal.js';
import { defaultSimulatorOptions } from '../simulator-options';
import { ExpectedBalance } from '../wildfire/expected-balances';
import { getJson, postJson, RunningSimulator, signedGet, sleep, startSimulator } from './simulator-test-support';

interface CommissionPageBody {
  Commissions: Record<string, unknown>[];
  NextCursor: string;
  PrevCursor: string;
}

const window = 'start_modified_date=2020-01-01T00:00:00Z&end_modified_date=2030-01-01T00:00:00Z&sort_by=modified_date&sort_order=asc';

describe('Commission API: WFAV1 and the rate limit', () => {
  let simulator: RunningSimulator;
  const intervalMs = 200;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'api-auth', commissions: 50, users: 5, apiIntervalMsMin: intervalMs });
  });
  afterAll(() => simulator.close());
  beforeEach(() => sleep(intervalMs + 20));

  it('answers a correctly signed call', async () => {
    const response = await signedGet(`${simulator.baseUrl}/v4/commission?${window}&limit=10`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as CommissionPageBody;
    expect(body.Commissions).toHaveLength(10);
    expect(typeof body.NextCursor).toBe('string');
  });

  it.each([
    ['a wrong secret', { ...defaultSimulatorOptions.credentials, appSecret: 'wrong' }],
    ['another app id', { ...defaultSimulatorOptions.credentials, appId: 'someone-else' }],
    ['another device token', { ...defaultSimulatorOptions.credentials, deviceToken: 'other-device' }],
  ])('refuses %s with a 401 JSON error', async (_label, credentials) => {
    const response = await signedGet(`${simulator.baseUrl}/v4/commission?${window}`, credentials);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
  });

  it('refuses an unsigned call and a signature too old to trust', async () => {
    expect((await fetch(`${simulator.baseUrl}/v3/commission?${window}`)).status).toBe(401);
    const stale = wfav1Headers({ ...defaultSimulatorOptions.credentials, now: new Date(Date.now() - 10 * 60_000) });
    expect((await fetch(`${simulator.baseUrl}/v3/commission?${window}`, { headers: { ...stale } })).status).toBe(401);
  });

  it('answers 429 to a call closer than the interval to the last accepted one, and lets the next one through', async () => {
    const first = await signedGet(`${simulator.baseUrl}/v2/commission?${window}`);
    const second = await signedGet(`${simulator.baseUrl}/v2/commission?${window}`);
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ error: 'rate-limited' });
    expect(second.headers.get('retry-after')).toBe('1');
    await sleep(intervalMs + 20);
    expect((await signedGet(`${simulator.baseUrl}/v2/commission?${window}`)).status).toBe(200);
  });

  it('does not count a refused call, so a client waiting out the interval from its last success gets through', async () => {
    expect((await signedGet(`${simulator.baseUrl}/v4/commission?${window}`)).status).toBe(200);
    await sleep(intervalMs / 4);
    expect((await signedGet(`${simulator.baseUrl}/v4/commission?${window}`)).status).toBe(429);
    await sleep((intervalMs * 3) / 4 + 30);
    expect((await signedGet(`${simulator.baseUrl}/v4/commission?${window}`)).status).toBe(200);
  });

  it('refuses a limit above 2000 and other bad queries with 400', async () => {
    const tooMany = await signedGet(`${simulator.baseUrl}/v4/commission?${window}&limit=2001`);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: 'bad-request', message: 'limit must be at most 2000' });
    await sleep(intervalMs + 20);
    expect((await signedGet(`${simulator.baseUrl}/v4/commission?${window}&cursor=garbage`)).status).toBe(400);
  });

  it('logs every call with its arrival time to the millisecond, path and status', async () => {
    const log = await getJson<{ time: string; path: string; status: number | null; outcome: string }[]>(`${simulator.baseUrl}/_admin/requests`);
    expect(log.length).toBeGreaterThan(8);
    for (const entry of log) expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(log.map((entry) => entry.status)).toEqual(expect.arrayContaining([200, 401, 429, 400]));
    expect(log[0].path).toMatch(/^\/v4\/commission\?start_modified_date=/);
  });
});

describe('Commission API: paging and shapes', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'api-paging', commissions: 2_500, users: 60, apiIntervalMsMin: 0 });
  });
  afterAll(() => simulator.close());

  async function walk(version: string, query: string, limit: number): Promise<{ records: Record<string, unknown>[]; pages: number }> {
    const records: Record<string, unknown>[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const response = await signedGet(`${simulator.baseUrl}/${version}/commission?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as CommissionPageBody;
      records.push(...body.Commissions);
      cursor = body.NextCursor;
      pages += 1;
    } while (cursor !== '' && pages < 100);
    return { records, pages };
  }

  const idOf = (record: Record<string, unknown>) => (record.ID ?? record.commissionid) as number;
  const modifiedOf = (record: Record<string, unknown>) => (record.ModifiedDate ?? record.modifieddate) as string;

  it('returns every visible commission exactly once over 2000-record pages, in modified order', async () => {
    await postJson(`${simulator.baseUrl}/_admin/clock`, { advanceHours: 24 * 365 });
    const { records, pages } = await walk('v4', window, 2_000);
    expect(pages).toBe(2);
    expect(records).toHaveLength(2_500);
    expect(new Set(records.map(idOf)).size).toBe(2_500);
    const expectedIds = simulator.state.history.commissions.map((commission) => commission.commissionId).sort((left, right) => left - right);
    expect(records.map(idOf).sort((left, right) => left - right)).toEqual(expectedIds);
    const micros = records.map((record) => simulator.state.latestVisible().find((entry) => entry.commission.commissionId === idOf(record))!.version.modified.micros);
    expect(micros.every((value, index) => index === 0 || value >= micros[index - 1])).toBe(true);
  });

  it('filters on the latest visible version, inside the modified-date window', async () => {
    const all = simulator.state.latestVisible();
    const start = modifiedOfRecord(all[500]);
    const end = modifiedOfRecord(all[1_499]);
    const { records } = await walk('v3', `start_modified_date=${start}&end_modified_date=${end}`, 300);
    expect(records.map(idOf)).toEqual(all.slice(500, 1_500).map((entry) => entry.commission.commissionId));
    expect(modifiedOf(records[0])).toBe(start);
  });

  it('renders each version in its own shape', async () => {
    const query = `${window}&limit=1`;
    const [v2, v3, v4] = await Promise.all(['v2', 'v3', 'v4'].map(async (version) => ((await (await signedGet(`${simulator.baseUrl}/${version}/commission?${query}`)).json()) as CommissionPageBody).Commissions[0]));
    expect(v2).toMatchObject({ ID: expect.any(Number), Amount: expect.any(String), SaleAmount: expect.any(String), Status: expect.stringMatching(/^[A-Z]+$/) });
    expect(v3).toMatchObject({ commissionid: v2.ID, amount: { amount: v2.Amount, currency: expect.stringMatching(/^[a-z]{3}$/) }, saleamount: { amount: v2.SaleAmount } });
    expect(v4).toMatchObject({ commissionid: v2.ID, amounts: expect.arrayContaining([{ amount: v2.Amount, currency: expect.any(String), splitpart: 'application' }]) });
    expect(v4.lockingdate).toEqual(expect.any(String));
  });

  it('agrees with its own expected balances when the v4 records are summed independently', async () => {
    const { records } = await walk('v4', window, 2_000);
    const lifetime = new Map<string, Decimal>();
    for (const record of records) {
      if (record.status === 'disqualified') continue;
      const splits = record.amounts as { amount: string; currency: string; splitpart: string }[];
      const user = splits.find((split) => split.splitpart === 'device') ?? splits[0];
      const key = `${record.trackingcode}|${user.currency.toUpperCase()}`;
      lifetime.set(key, (lifetime.get(key) ?? new Decimal(0)).plus(user.amount));
    }
    const expected = await getJson<ExpectedBalance[]>(`${simulator.baseUrl}/_admin/expected-balances`);
    expect(expected.length).toBeGreaterThan(60);
    for (const balance of expected) {
      expect(new Decimal(balance.lifetime).equals(lifetime.get(`${balance.aui}|${balance.unit}`) ?? 0)).toBe(true);
      const parts = new Decimal(balance.pending).plus(balance.available).plus(balance.paidByNetwork);
      expect(parts.equals(balance.lifetime)).toBe(true);
    }
  });
});

describe('Commission API: the simulator clock', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'api-clock', commissions: 300, users: 20, apiIntervalMsMin: 0 });
  });
  afterAll(() => simulator.close());

  const countVisible = async () => ((await (await signedGet(`${simulator.baseUrl}/v4/commission?${window}&limit=2000`)).json()) as CommissionPageBody).Commissions.length;

  it('shows more commissions and later statuses as the clock advances, and the balances follow', async () => {
    const before = await countVisible();
    const balancesBefore = await getJson<ExpectedBalance[]>(`${simulator.baseUrl}/_admin/expected-balances`);
    const advanced = await postJson(`${simulator.baseUrl}/_admin/clock`, { advanceHours: 24 * 60 });
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ newlyVisibleVersions: expect.any(Number) });
    expect((advanced.body as { newlyVisibleVersions: number }).newlyVisibleVersions).toBeGreaterThan(0);
    expect(await countVisible()).toBeGreaterThan(before);
    const balancesAfter = await getJson<ExpectedBalance[]>(`${simulator.baseUrl}/_admin/expected-balances`);
    const available = (balances: ExpectedBalance[]) => balances.reduce((sum, balance) => sum.plus(balance.available), new Decimal(0));
    expect(available(balancesAfter).greaterThan(available(balancesBefore))).toBe(true);
  });

  it('refuses to move the clock backwards or by nonsense', async () => {
    expect((await postJson(`${simulator.baseUrl}/_admin/clock`, { advanceHours: -1 })).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/clock`, { advanceHours: 'soon' })).status).toBe(400);
  });

  it('gives the same expected balances for the same seed, over HTTP', async () => {
    const other = await startSimulator({ seed: 'api-clock', commissions: 300, users: 20 });
    try {
      await postJson(`${other.baseUrl}/_admin/clock`, { advanceHours: 24 * 60 });
      expect(await getJson(`${other.baseUrl}/_admin/expected-balances`)).toEqual(await getJson(`${simulator.baseUrl}/_admin/expected-balances`));
    } finally {
      await other.close();
    }
  });

  it('lists the commissions of one AUI with all their versions for debugging', async () => {
    const listed = await getJson<{ aui: string; versions: { visible: boolean; applicationAmount: string }[] }[]>(`${simulator.baseUrl}/_admin/commissions?aui=sim-user-0003`);
    expect(listed.length).toBeGreaterThan(0);
    for (const commission of listed) {
      expect(commission.aui).toBe('sim-user-0003');
      expect(commission.versions[0].applicationAmount).toMatch(/^-?\d+(\.\d{1,5})?$/);
    }
  });
});

function modifiedOfRecord(entry: { version: { modified: { micros: number; fractionDigits: number } } }): string {
  const micros = entry.version.modified.micros;
  const seconds = new Date(Math.floor(micros / 1_000_000) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(micros % 1_000_000).padStart(6, '0').slice(0, entry.version.modified.fractionDigits)}Z`;
}
