import { createHmac } from 'node:crypto';
import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { Decimal } from '@earnings/domain';
import { WILDFIRE_FIXTURE_CALLBACK_KEY, wildfireFixture } from '@earnings/testing';
import {
  createSuiteDatabase, eventually, graphql, queryApiKey, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, uniqueSuffix,
  waitForProjectorToCatchUp,
} from './test-stack';

/**
 * Issue 24: a commission's metadata (MerchantSKU, MerchantOrderID, the TrackingCode's form) never
 * decides whether its money is booked, from a signed callback or from the Commission API sync.
 * Each case is booked with its exact amount; a TrackingCode that cannot be an AUI lands under
 * ~unattributed with the code as sent, for support. The sync also fills the merchant directory on
 * first sight of each MerchantID (the daily list is off here), at Wildfire's pace, and GraphQL
 * names every store.
 */
type Json = Record<string, unknown>;

interface CommissionVersionView { amount: string; state: string; trackingCodeAsSent: string | null }
interface TransactionView { commissionId: string; merchantId: string | null; merchant: { id: string; name: string | null; logoUrl: string | null } | null; trackingCodeAsSent: string | null; merchantOrderId: string | null }
interface SimulatedCommission { commissionId: number; aui: string; merchantId: number; versions: { visible: boolean; status: string; applicationAmount: string; deviceAmount: string | null }[] }
interface LoggedRequest { time: string; path: string; status: number | null }

const skuList = (count: number) => Array.from({ length: count }, (_, index) => String(15_406_000 + index)).join(',');

/** The metadata cases of the issue, each as the fields a record carries instead of its own. */
const metadataCases: { name: string; fields: (aui: string) => Json; unattributed?: true }[] = [
  { name: 'a MerchantSKU with a trailing space', fields: () => ({ MerchantSKU: '15406898 ' }) },
  { name: 'a list of 101 SKUs', fields: () => ({ MerchantSKU: skuList(101) }) },
  { name: 'a MerchantOrderID holding U+200E', fields: () => ({ MerchantOrderID: '\u200e1234582725' }) },
  { name: 'a MerchantOrderID holding a NUL', fields: () => ({ MerchantOrderID: '12345\u000082725' }) },
  { name: 'a TrackingCode with whitespace around it', fields: (aui) => ({ TrackingCode: ` ${aui} ` }), unattributed: true },
];

describe('Wildfire metadata never decides whether a commission is booked', () => {
  const suffix = uniqueSuffix();
  const projectorGroup = `metadata-${suffix}`;
  const apiKey = queryApiKey('metadata', `metadata-key-${suffix}`);
  let database: SuiteDatabase;
  let apps: RunningApps;

  const commissionHistory = async (aui: string, commissionId: string): Promise<CommissionVersionView[]> => {
    const answer = await graphql<{ commissionHistory: CommissionVersionView[] }>(
      apps.url('query', '/graphql'),
      'query ($aui: ID!, $id: ID!) { commissionHistory(aui: $aui, source: "wildfire", commissionId: $id) { amount state trackingCodeAsSent } }',
      { aui, id: commissionId }, apiKey.headers,
    );
    if (!answer.data) throw new Error(JSON.stringify(answer.errors));
    return answer.data.commissionHistory;
  };

  /** Every transaction of an AUI, page by page (~unattributed collects other suites' commissions too). */
  const transactionsOf = async (aui: string): Promise<TransactionView[]> => {
    const all: TransactionView[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages += 1) {
      const answer: { data?: { transactions: { edges: { node: TransactionView }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }; errors?: unknown } = await graphql(
        apps.url('query', '/graphql'),
        'query ($aui: ID!, $after: String) { transactions(aui: $aui, first: 50, after: $after) { edges { node { commissionId merchantId merchant { id name logoUrl } trackingCodeAsSent merchantOrderId } } pageInfo { hasNextPage endCursor } } }',
        { aui, after }, apiKey.headers,
      );
      if (!answer.data) throw new Error(JSON.stringify(answer.errors));
      all.push(...answer.data.transactions.edges.map((edge) => edge.node));
      if (!answer.data.transactions.pageInfo.hasNextPage) break;
      after = answer.data.transactions.pageInfo.endCursor;
    }
    return all;
  };

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('wildfire_metadata');
    apps = await startApps(['partner-simulator', 'ledger-projector', 'query'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: projectorGroup, ...apiKey.env,
      SIMULATOR_SEED: `metadata-${suffix}`, SIMULATOR_AUI_PREFIX: `meta-${suffix}-`, SIMULATOR_USERS: '12', SIMULATOR_COMMISSIONS: '120',
      SIMULATOR_API_INTERVAL_MS_MIN: '1000', WILDFIRE_APP_ID: 'meta-app', WILDFIRE_APP_SECRET: 'meta-secret', WILDFIRE_DEVICE_TOKEN: 'meta-device', WILDFIRE_SENDER_TOKEN: 'meta-sender',
    });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  describe('from a signed callback', () => {
    const fixture = JSON.parse(wildfireFixture('v4-create-paid-device-split').body.toString('utf8')) as Json & { payload: Json };
    const cases = metadataCases.map((metadataCase, index) => {
      const aui = `meta-${suffix}-callback-${index}`;
      const commissionId = String(960_000_000 + Number.parseInt(suffix.slice(0, 5), 16) * 10 + index);
      const payload: Json = { ...fixture.payload, commissionid: Number(commissionId), trackingcode: aui };
      for (const [name, value] of Object.entries(metadataCase.fields(aui))) {
        delete payload[name.toLowerCase()];
        payload[name] = value;
      }
      return { ...metadataCase, aui, commissionId, body: JSON.stringify({ ...fixture, id: `meta-${suffix}-${index}`, payload }) };
    });

    beforeAll(async () => {
      await restartApp(apps, 'ingest', { KAFKA_BROKERS: requireTestInfrastructure().brokers, DATABASE_URL: database.url, WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY });
    }, 60_000);

    afterAll(async () => {
      await apps.services.get('ingest')?.stop();
    });

    it.each(cases)('books the money of a callback with $name', async ({ body, aui, commissionId, unattributed }) => {
      const signature = `sha256=${createHmac('sha256', WILDFIRE_FIXTURE_CALLBACK_KEY).update(body).digest('hex')}`;
      const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-wf-signature': signature }, body });
      expect({ status: response.status, answer: await response.json() }).toMatchObject({ status: 200, answer: { status: 'recorded' } });
      await waitForProjectorToCatchUp(database.url, projectorGroup);
      const owner = unattributed ? UNATTRIBUTED_AUI : aui;
      // The fixture's device split: Wildfire paid the user 5.7695.
      expect(await commissionHistory(owner, commissionId)).toEqual([{ amount: '5.7695', state: 'PAYABLE', trackingCodeAsSent: unattributed ? `" ${aui} "` : null }]);
      if (unattributed) expect(await commissionHistory(aui, commissionId)).toEqual([]);
    });
  });

  describe('from the Commission API sync', () => {
    let chosen: (SimulatedCommission & { metadataCase: (typeof metadataCases)[number] })[] = [];
    let stores: Map<string, { name: string; disabled: boolean }>;
    const simulator = (path: string) => apps.url('partner-simulator', path);
    const syncedThrough = async () => {
      const { Client } = await import('pg');
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query(`SELECT synced_through FROM sync_watermark WHERE name = 'wildfire-commissions'`)).rows[0]?.synced_through ?? null;
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      const commissions = (await (await fetch(simulator('/_admin/commissions?limit=1000'))).json()) as SimulatedCommission[];
      // One visible commission per case, each of a different user.
      const visible = commissions.filter((commission) => commission.versions.some((version) => version.visible));
      const byUser = [...new Map(visible.map((commission) => [commission.aui, commission])).values()];
      chosen = metadataCases.map((metadataCase, index) => ({ ...byUser[index], metadataCase }));
      const quirks = chosen.map((commission) => ({ commissionId: commission.commissionId, fields: commission.metadataCase.fields(commission.aui) }));
      expect((await fetch(simulator('/_admin/commissions/quirks'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quirks }) })).status).toBe(200);
      stores = new Map(((await (await fetch(simulator('/_admin/merchants'))).json()) as { merchantId: number; name: string; disabled: boolean }[]).map((store) => [String(store.merchantId), store]));
      await fetch(simulator('/_admin/requests'), { method: 'DELETE' });
      await restartApp(apps, 'ingest', {
        KAFKA_BROKERS: requireTestInfrastructure().brokers, DATABASE_URL: database.url, WILDFIRE_CALLBACK_KEYS: 'metadata-callback-key',
        WILDFIRE_API_BASE_URL: simulator(''), WILDFIRE_APP_ID: 'meta-app', WILDFIRE_APP_SECRET: 'meta-secret', WILDFIRE_DEVICE_TOKEN: 'meta-device', WILDFIRE_SENDER_TOKEN: 'meta-sender',
        WILDFIRE_SYNC_ON_START: 'true', WILDFIRE_API_REQUEST_INTERVAL_MS_MIN: '1000', WILDFIRE_API_PAGE_LIMIT: '40',
        // Names come from lookups on first sight only: no daily list.
        WILDFIRE_MERCHANT_SYNC_INTERVAL_HOURS: '0',
      });
      await eventually(syncedThrough, (value) => value !== null, 120_000);
      await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);
    }, 240_000);

    afterAll(async () => {
      await apps.services.get('ingest')?.stop();
    });

    it.each(metadataCases.map((metadataCase, index) => ({ ...metadataCase, index })))('books the money of a record with $name', async ({ index, unattributed }) => {
      const commission = chosen[index];
      const latest = [...commission.versions].reverse().find((version) => version.visible);
      if (!latest) throw new Error('the chosen commission has no visible version');
      // A device split is what Wildfire paid the user; otherwise the user's share (100%) of the application amount.
      const amount = new Decimal(latest.deviceAmount ?? latest.applicationAmount);
      const versions = await commissionHistory(unattributed ? UNATTRIBUTED_AUI : commission.aui, String(commission.commissionId));
      const booked = versions[versions.length - 1];
      expect({ booked: booked !== undefined && new Decimal(booked.amount).equals(amount), trackingCodeAsSent: booked?.trackingCodeAsSent }).toEqual({
        booked: true, trackingCodeAsSent: unattributed ? `" ${commission.aui} "` : null,
      });
    });

    it('shows ~unattributed\'s commission with the tracking code as sent, and the cleaned metadata on the user\'s', async () => {
      const unattributedCase = chosen.find((commission) => commission.metadataCase.unattributed) as (typeof chosen)[number];
      const orderCase = chosen.find((commission) => commission.metadataCase.name.includes('U+200E')) as (typeof chosen)[number];
      const held = await eventually(async () => {
        const pages = await transactionsOf(UNATTRIBUTED_AUI);
        return pages.find((transaction) => transaction.commissionId === String(unattributedCase.commissionId)) ?? null;
      }, (transaction) => transaction !== null);
      expect(held?.trackingCodeAsSent).toBe(`" ${unattributedCase.aui} "`);
      const cleaned = (await transactionsOf(orderCase.aui)).find((transaction) => transaction.commissionId === String(orderCase.commissionId));
      expect(cleaned?.merchantOrderId).toBe('1234582725');
    });

    it('names every store of a synced user from lookups by id on first sight, batched, at Wildfire\'s pace', async () => {
      const user = chosen[0].aui;
      const named = await eventually(
        async () => (await transactionsOf(user)).map((transaction) => [transaction.merchantId, transaction.merchant?.name ?? null, transaction.merchant?.logoUrl ?? null]),
        (rows) => rows.length > 0 && rows.every(([, name]) => name !== null),
        60_000,
      );
      expect(named.map(([id, name]) => [id, name])).toEqual(named.map(([id]) => [id, stores.get(id as string)?.name]));
      expect(named.every(([, , logoUrl]) => typeof logoUrl === 'string' && logoUrl.includes('/wl-image/'))).toBe(true);

      const requests = ((await (await fetch(simulator('/_admin/requests'))).json()) as LoggedRequest[]).filter((request) => /^\/v\d\/(commission|merchant)/.test(request.path));
      const lookups = requests.filter((request) => request.path.startsWith('/v2/merchant?'));
      expect(lookups.length).toBeGreaterThan(0);
      // Batched: the first lookup asks for every merchant the first page named, not one request per merchant.
      expect(Math.max(...lookups.map((request) => new URL(request.path, 'http://x').searchParams.getAll('id').length))).toBeGreaterThan(1);
      // One pace for every Wildfire call, commission pages and merchant lookups together.
      expect(requests.map((request) => request.status)).not.toContain(429);
      const arrivals = requests.map((request) => Date.parse(request.time)).sort((left, right) => left - right);
      expect(Math.min(...arrivals.slice(1).map((time, index) => time - arrivals[index]))).toBeGreaterThanOrEqual(1_000);
      console.log(JSON.stringify({ wildfireRequests: requests.length, merchantLookups: lookups.length, storesNamed: named.length }));
    });
  });
});
