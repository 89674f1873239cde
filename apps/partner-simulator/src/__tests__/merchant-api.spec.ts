import { readWildfireMerchant, WildfireMerchant } from '@earnings/domain';
import { WildfireApiError, WildfireMerchantApiClient } from '@earnings/sources';
import { defaultSimulatorOptions } from '../simulator-options';
import { RunningSimulator, signedGet, sleep, startSimulator } from './simulator-test-support';

/** The ingest side's merchant client against the simulator's merchant API: the two ends of the wire must agree. */
describe('the merchant API', () => {
  let simulator: RunningSimulator;
  let client: WildfireMerchantApiClient;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'merchant-api', commissions: 200, users: 10, apiIntervalMsMin: 0 });
    client = new WildfireMerchantApiClient({ baseUrl: simulator.baseUrl, credentials: defaultSimulatorOptions.credentials, requestTimeoutMs: 2_000 });
  });
  afterAll(() => simulator.close());

  const merchantsOf = (records: unknown[]) => records.map(readWildfireMerchant).filter((merchant): merchant is WildfireMerchant => merchant !== null);

  it('describes the merchants asked for by id, disabled ones included, with a name and a logo it serves', async () => {
    const disabled = simulator.state.history.merchants.find((merchant) => merchant.disabled);
    const enabled = simulator.state.history.merchants.find((merchant) => !merchant.disabled);
    if (!disabled || !enabled) throw new Error('the seed has no disabled merchant');
    const page = await client.fetchByIds([String(enabled.merchantId), String(disabled.merchantId), '99'], new Date());
    const merchants = merchantsOf(page.records);
    expect(merchants.map((merchant) => [merchant.merchantId, merchant.name, merchant.disabled]).sort()).toEqual(
      [[String(enabled.merchantId), enabled.name, false], [String(disabled.merchantId), disabled.name, true]].sort(),
    );
    const logo = await fetch(merchants[0].logoUrl as string);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect(await logo.text()).toMatch(/^<svg [^>]*width="200"/);
  });

  it('lists the enabled merchants, 500 a page at most, following NextCursor', async () => {
    const seen: WildfireMerchant[] = [];
    let cursor: string | null = null;
    do {
      const page = await client.fetchListPage(cursor, new Date());
      seen.push(...merchantsOf(page.records));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const enabled = simulator.state.history.merchants.filter((merchant) => !merchant.disabled);
    expect(seen.map((merchant) => merchant.merchantId).sort()).toEqual(enabled.map((merchant) => String(merchant.merchantId)).sort());
    expect(seen.every((merchant) => !merchant.disabled && merchant.logoUrl !== null)).toBe(true);
  });

  it('refuses bad credentials, and an unknown image', async () => {
    const stranger = new WildfireMerchantApiClient({ baseUrl: simulator.baseUrl, credentials: { ...defaultSimulatorOptions.credentials, appSecret: 'wrong' }, requestTimeoutMs: 2_000 });
    await expect(stranger.fetchListPage(null, new Date())).rejects.toMatchObject({ code: 'unauthorized', retryable: false });
    expect((await fetch(`${simulator.baseUrl}/wl-image/${'0'.repeat(40)}.svg`)).status).toBe(404);
  });
});

describe('the merchant API shares the Commission API\'s rate limit', () => {
  let simulator: RunningSimulator;
  const intervalMs = 300;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'merchant-gate', commissions: 20, users: 3, apiIntervalMsMin: intervalMs });
  });
  afterAll(() => simulator.close());

  it('answers 429 to a merchant call right after a commission call, as Wildfire counts an application\'s calls together', async () => {
    const window = 'start_modified_date=2000-01-01T00:00:00Z&end_modified_date=2100-01-01T00:00:00Z';
    expect((await signedGet(`${simulator.baseUrl}/v4/commission?${window}`)).status).toBe(200);
    const client = new WildfireMerchantApiClient({ baseUrl: simulator.baseUrl, credentials: defaultSimulatorOptions.credentials, requestTimeoutMs: 2_000 });
    const error = await client.fetchListPage(null, new Date()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WildfireApiError);
    expect(error).toMatchObject({ code: 'rate-limited', retryable: true });
    await sleep(intervalMs + 20);
    expect((await client.fetchListPage(null, new Date())).records.length).toBeGreaterThan(0);
  });
});

describe('quirky metadata on the wire', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'quirks', commissions: 30, users: 3, apiIntervalMsMin: 0 });
  });
  afterAll(() => simulator.close());

  it('sends the fields a test gave a commission instead of its own, in the letter case of the version', async () => {
    const [first] = simulator.state.latestVisible();
    const id = first.commission.commissionId;
    const put = await fetch(`${simulator.baseUrl}/_admin/commissions/quirks`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quirks: [{ commissionId: id, fields: { MerchantSKU: '15406898 ', TrackingCode: ' x ' } }] }),
    });
    expect(put.status).toBe(200);
    const body = (await (await signedGet(`${simulator.baseUrl}/v4/commission?limit=2000`)).json()) as { Commissions: Record<string, unknown>[] };
    const record = body.Commissions.find((commission) => commission.commissionid === id);
    expect(record).toMatchObject({ merchantsku: '15406898 ', trackingcode: ' x ' });
    expect(Object.keys(record ?? {}).filter((key) => key.toLowerCase() === 'merchantsku')).toEqual(['merchantsku']);
  });
});
