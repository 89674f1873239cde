import { cloudEventHeaders, PayoutExecuted, Topics } from '@earnings/contracts';
import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import {
  createSuiteDatabase, hs256Token, queryApiKey, requireTestInfrastructure, RunningApps, signedWildfireCallback, startApps, SuiteDatabase, TestCommission,
  uniqueSuffix, waitForProjectorToCatchUp,
  produceEvents,
} from './test-stack';
import { publishPayoutPolicy } from './payout-scenario';

interface GraphQLAnswer<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface TransactionNode {
  source: string;
  commissionId: string;
  state: string;
  sourceStatus: string;
  amount: string;
  unit: string;
  saleAmount: string | null;
  merchantId: string | null;
  merchantOrderId: string | null;
  eventDate: string | null;
  modifiedDate: string;
  statusExplanation: string;
}

interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const jwtSecret = 'query-e2e-jwt-secret-of-at-least-32-characters';
const partner = queryApiKey('partner', 'partner-api-key-e2e');
const scopeless = queryApiKey('scopeless', 'scopeless-api-key-e2e');

const earningsQuery = 'query ($aui: ID!) { earnings(aui: $aui) { aui updatedAt balances { unit lifetime pending available paidOut paidByNetwork } } }';
const transactionsQuery = `query ($aui: ID!, $first: Int, $after: String, $states: [CommissionState!]) {
  transactions(aui: $aui, first: $first, after: $after, states: $states) {
    edges { cursor node { source commissionId state sourceStatus amount unit saleAmount merchantId merchantOrderId eventDate modifiedDate statusExplanation } }
    pageInfo { hasNextPage endCursor } } }`;
const payoutsQuery = `query ($aui: ID!, $first: Int, $after: String) {
  payouts(aui: $aui, first: $first, after: $after) { edges { cursor node { id unit amount method state createdAt executedAt } } pageInfo { hasNextPage endCursor } } }`;

const payoutScheduleQuery = 'query ($aui: ID!) { payoutSchedule(aui: $aui) { unit threshold available remaining reached nextRunAt } }';
const earningsHistoryQuery = `query ($aui: ID!, $from: DateTime, $to: DateTime, $points: Int) {
  earningsHistory(aui: $aui, from: $from, to: $to, points: $points) { unit points { at lifetime paidOut } } }`;
const commissionHistoryQuery = `query ($aui: ID!, $source: String!, $commissionId: ID!) {
  commissionHistory(aui: $aui, source: $source, commissionId: $commissionId) { commissionId modifiedDate state sourceStatus amount unit appliedAt statusExplanation } }`;

async function ask<T>(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLAnswer<T>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLAnswer<T>, 'status'>) };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codesOf = (answer: GraphQLAnswer<unknown>) => (answer.errors ?? []).map((error) => error.extensions?.code);

describe('the query API: earnings, transactions and payouts with pagination, filters, auth and limits', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let limited: RunningApps;
  const suffix = uniqueSuffix();
  const userA = `qa-${suffix}-a`;
  const userB = `qa-${suffix}-b`;
  const userC = `qa-${suffix}-c`;
  const projectorGroup = `ledger-projector-${suffix}`;
  // Commission identity is (source, id) and the projector replays the shared topic from the start:
  // ids unique per run keep an earlier run's commissions from shadowing this run's.
  const base = Number.parseInt(suffix.slice(0, 6), 16) + 1_000_000;
  const id = (n: number) => String(base * 10 + n);
  // Two on the same event date, to prove the tiebreak by (source, commission id); one with microseconds.
  const commissions: TestCommission[] = [
    { id: Number(id(1)), aui: userA, status: 'pending', amount: '1.10001', eventDate: '2024-03-01T10:00:00Z', modifiedDate: '2024-03-01T10:05:00.000001Z' },
    { id: Number(id(2)), aui: userA, status: 'paid', amount: '2.5', eventDate: '2024-03-02T10:00:00Z', modifiedDate: '2024-03-02T10:05:00Z' },
    { id: Number(id(3)), aui: userA, status: 'disqualified', amount: '0.75', eventDate: '2024-03-01T10:00:00Z', modifiedDate: '2024-03-01T11:00:00Z' },
    { id: Number(id(4)), aui: userA, status: 'ready', amount: '0.3', eventDate: '2024-02-01T00:00:00Z', modifiedDate: '2024-02-02T00:00:00Z' },
    { id: Number(id(5)), aui: userA, status: 'confirmed', amount: '0.12345', eventDate: '2024-01-15T00:00:00.123456Z', modifiedDate: '2024-01-16T00:00:00Z' },
    { id: Number(id(9)), aui: userB, status: 'pending', amount: '9.99', eventDate: '2024-03-05T00:00:00Z', modifiedDate: '2024-03-05T00:00:00Z' },
    // Two versions of one commission: its history lists both.
    { id: Number(id(7)), aui: userC, status: 'pending', amount: '3', eventDate: '2024-05-01T00:00:00Z', modifiedDate: '2024-05-01T00:00:00Z' },
    { id: Number(id(7)), aui: userC, status: 'paid', amount: '2.75', eventDate: '2024-05-01T00:00:00Z', modifiedDate: '2024-06-01T00:00:00.000002Z' },
  ];

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('query_api');
    // The payout service's defaults, as it publishes them at start.
    await publishPayoutPolicy(database.url, 'USD:10,EUR:10,GBP:10', '0 2 * * *');
    const common = { KAFKA_BROKERS: brokers, DATABASE_URL: database.url, QUERY_JWT_SECRET: jwtSecret };
    apps = await startApps(['ingest', 'ledger-projector', 'query'], {
      ...common,
      QUERY_API_KEYS: `${partner.env.QUERY_API_KEYS},scopeless:other:read:scopeless-api-key-e2e`,
      QUERY_INTROSPECTION: 'true',
      QUERY_PAGE_SIZE_MAX: '5',
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      PROJECTOR_CONSUMER_GROUP: projectorGroup,
    });
    for (const commission of commissions) {
      const callback = signedWildfireCallback(commission);
      const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body });
      expect(response.status).toBe(200);
    }
    await producePayouts([
      payout(`payout-${suffix}-1`, userA, '0.5', '2024-04-01T00:00:00.000001Z'),
      payout(`payout-${suffix}-2`, userA, '0.25', '2024-04-02T00:00:00Z'),
      payout(`payout-${suffix}-3`, userA, '0.125', '2024-04-03T00:00:00Z'),
    ]);
    await waitForProjectorToCatchUp(database.url, projectorGroup);
    // A second query service on the same database with small limits, so each limit is reachable.
    limited = await startApps(['query'], {
      ...common,
      QUERY_API_KEYS: `${partner.env.QUERY_API_KEYS},burst:earnings:read:burst-api-key-e2e`,
      QUERY_DEPTH_MAX: '3',
      QUERY_COST_MAX: '100',
      QUERY_INTROSPECTION: 'false',
      QUERY_RATE_LIMIT_PER_MINUTE: '5',
    });
  });

  afterAll(async () => {
    await limited?.stopAll();
    await apps?.stopAll();
    await database?.drop();
  });

  const url = () => apps.url('query', '/graphql');

  describe('earnings', () => {
    it('answers the balances of an AUI, decimals as exact strings and the update time with microseconds', async () => {
      const answer = await ask<{ earnings: { aui: string; updatedAt: string; balances: unknown[] } }>(url(), earningsQuery, { aui: userA }, partner.headers);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.earnings.aui).toBe(userA);
      expect(answer.data?.earnings.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      // lifetime: everything but the rejected 0.75; pending: pending + confirmed + ready; paid out: three payouts.
      expect(answer.data?.earnings.balances).toEqual([
        { unit: 'USD', lifetime: '4.02346', pending: '1.52346', available: '1.625', paidOut: '0.875', paidByNetwork: '0' },
      ]);
    });

    it('answers an AUI with no data with empty balances and no update time', async () => {
      const answer = await ask<{ earnings: unknown }>(url(), earningsQuery, { aui: `nobody-${suffix}` }, partner.headers);
      expect(answer).toEqual({ status: 200, data: { earnings: { aui: `nobody-${suffix}`, updatedAt: null, balances: [] } } });
    });

    it('answers aliased earnings of several AUIs in one request', async () => {
      const answer = await ask<Record<string, { balances: { lifetime: string }[] }>>(
        url(),
        'query ($a: ID!, $b: ID!) { a: earnings(aui: $a) { balances { lifetime } } b: earnings(aui: $b) { balances { lifetime } } }',
        { a: userA, b: userB },
        partner.headers,
      );
      expect(answer.data).toEqual({ a: { balances: [{ lifetime: '4.02346' }] }, b: { balances: [{ lifetime: '9.99' }] } });
    });
  });

  describe('transactions', () => {
    it('lists the latest version of every commission, newest event first, ties broken by source and commission id', async () => {
      const answer = await ask<{ transactions: Page<TransactionNode> }>(url(), transactionsQuery, { aui: userA }, partner.headers);
      expect(answer.errors).toBeUndefined();
      const nodes = answer.data?.transactions.edges.map((edge) => edge.node) ?? [];
      expect(nodes.map((node) => [node.commissionId, node.state])).toEqual([
        [id(2), 'PAYABLE'], [id(1), 'PENDING'], [id(3), 'REJECTED'], [id(4), 'READY'], [id(5), 'CONFIRMED'],
      ]);
      expect(nodes[1]).toEqual({
        source: 'wildfire', commissionId: id(1), state: 'PENDING', sourceStatus: 'pending', amount: '1.10001', unit: 'USD', saleAmount: '100',
        merchantId: '123456', merchantOrderId: `order-${id(1)}`, eventDate: '2024-03-01T10:00:00.000000Z', modifiedDate: '2024-03-01T10:05:00.000001Z',
        statusExplanation: expect.stringMatching(/return window to close, usually 30 days or more/),
      });
      expect(nodes[4].eventDate).toBe('2024-01-15T00:00:00.123456Z');
      expect(nodes[0].statusExplanation).toMatch(/available for you to withdraw/);
      expect(answer.data?.transactions.pageInfo.hasNextPage).toBe(false);
    });

    it('pages through with opaque cursors, every commission exactly once', async () => {
      const seen: string[] = [];
      const pages: boolean[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const answer: GraphQLAnswer<{ transactions: Page<TransactionNode> }> = await ask(url(), transactionsQuery, { aui: userA, first: 2, after }, partner.headers);
        expect(answer.errors).toBeUndefined();
        const connection = answer.data!.transactions;
        seen.push(...connection.edges.map((edge) => edge.node.commissionId));
        pages.push(connection.pageInfo.hasNextPage);
        expect(connection.pageInfo.endCursor).toBe(connection.edges[connection.edges.length - 1].cursor);
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(seen).toEqual([id(2), id(1), id(3), id(4), id(5)]);
      expect(pages).toEqual([true, true, false]);
    });

    it('filters by state, and pages within the filter', async () => {
      const first = await ask<{ transactions: Page<TransactionNode> }>(url(), transactionsQuery, { aui: userA, states: ['PENDING', 'REJECTED', 'CONFIRMED'], first: 2 }, partner.headers);
      expect(first.data?.transactions.edges.map((edge) => edge.node.commissionId)).toEqual([id(1), id(3)]);
      expect(first.data?.transactions.pageInfo.hasNextPage).toBe(true);
      const second = await ask<{ transactions: Page<TransactionNode> }>(
        url(), transactionsQuery, { aui: userA, states: ['PENDING', 'REJECTED', 'CONFIRMED'], first: 2, after: first.data?.transactions.pageInfo.endCursor }, partner.headers,
      );
      expect(second.data?.transactions.edges.map((edge) => edge.node.commissionId)).toEqual([id(5)]);
      expect(second.data?.transactions.pageInfo.hasNextPage).toBe(false);
    });

    it('filters by unit', async () => {
      const query = 'query ($aui: ID!, $unit: String) { transactions(aui: $aui, unit: $unit) { edges { node { commissionId unit } } } }';
      const usd = await ask<{ transactions: Page<{ commissionId: string }> }>(url(), query, { aui: userA, unit: 'USD' }, partner.headers);
      expect(usd.data?.transactions.edges.map((edge) => edge.node.commissionId)).toEqual([id(2), id(1), id(3), id(4), id(5)]);
      const credits = await ask<{ transactions: Page<{ commissionId: string }> }>(url(), query, { aui: userA, unit: 'credits' }, partner.headers);
      expect(credits.data?.transactions.edges).toEqual([]);
    });

    it('answers an AUI with no data with an empty connection', async () => {
      const answer = await ask<{ transactions: Page<TransactionNode> }>(url(), transactionsQuery, { aui: `nobody-${suffix}` }, partner.headers);
      expect(answer.data).toEqual({ transactions: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    });

    it('rejects a cursor it did not issue as BAD_USER_INPUT', async () => {
      const answer = await ask(url(), transactionsQuery, { aui: userA, after: 'not-a-cursor' }, partner.headers);
      expect(answer.status).toBe(400);
      expect(codesOf(answer)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('payouts', () => {
    it('lists executed payouts newest first, paged', async () => {
      const first = await ask<{ payouts: Page<{ id: string }> }>(url(), payoutsQuery, { aui: userA, first: 2 }, partner.headers);
      expect(first.errors).toBeUndefined();
      expect(first.data?.payouts.edges.map((edge) => edge.node)).toEqual([
        { id: `payout-${suffix}-3`, unit: 'USD', amount: '0.125', method: 'paypal', state: 'succeeded', createdAt: '2024-04-03T00:00:00.000000Z', executedAt: '2024-04-03T00:00:00.000000Z' },
        { id: `payout-${suffix}-2`, unit: 'USD', amount: '0.25', method: 'paypal', state: 'succeeded', createdAt: '2024-04-02T00:00:00.000000Z', executedAt: '2024-04-02T00:00:00.000000Z' },
      ]);
      const second = await ask<{ payouts: Page<{ id: string; executedAt: string }> }>(url(), payoutsQuery, { aui: userA, first: 2, after: first.data?.payouts.pageInfo.endCursor }, partner.headers);
      expect(second.data?.payouts.edges.map((edge) => [edge.node.id, edge.node.executedAt])).toEqual([[`payout-${suffix}-1`, '2024-04-01T00:00:00.000001Z']]);
      expect(second.data?.payouts.pageInfo.hasNextPage).toBe(false);
    });

    it('answers an AUI with no payouts with an empty connection', async () => {
      const answer = await ask(url(), payoutsQuery, { aui: userB }, partner.headers);
      expect(answer.data).toEqual({ payouts: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    });
  });

  describe('payoutSchedule', () => {
    it('answers per unit the threshold, what is left to earn and the next run, as the payout service published them', async () => {
      const answer = await ask<{ payoutSchedule: Record<string, unknown>[] }>(url(), payoutScheduleQuery, { aui: userA }, partner.headers);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.payoutSchedule).toEqual([
        { unit: 'USD', threshold: '10', available: '1.625', remaining: '8.375', reached: false, nextRunAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000000Z$/) },
      ]);
      expect(Date.parse(String(answer.data?.payoutSchedule[0].nextRunAt))).toBeGreaterThan(Date.now());
    });

    it('answers an empty list for an AUI with no balances', async () => {
      const answer = await ask(url(), payoutScheduleQuery, { aui: `nobody-${suffix}` }, partner.headers);
      expect(answer.data).toEqual({ payoutSchedule: [] });
    });
  });

  describe('earningsHistory', () => {
    it('answers lifetime and paid out as of evenly spaced moments, each commission by its version at the moment', async () => {
      const answer = await ask<{ earningsHistory: unknown[] }>(url(), earningsHistoryQuery, { aui: userA, from: '2024-01-01T00:00:00Z', to: '2024-05-01T00:00:00Z', points: 5 }, partner.headers);
      expect(answer.errors).toBeUndefined();
      // Moments 30.25 days apart; the rejected 0.75 never counts; the three payouts (0.875) executed in April.
      expect(answer.data?.earningsHistory).toEqual([{
        unit: 'USD',
        points: [
          { at: '2024-01-01T00:00:00.000000Z', lifetime: '0', paidOut: '0' },
          { at: '2024-01-31T06:00:00.000000Z', lifetime: '0.12345', paidOut: '0' },
          { at: '2024-03-01T12:00:00.000000Z', lifetime: '1.52346', paidOut: '0' },
          { at: '2024-03-31T18:00:00.000000Z', lifetime: '4.02346', paidOut: '0' },
          { at: '2024-05-01T00:00:00.000000Z', lifetime: '4.02346', paidOut: '0.875' },
        ],
      }]);
    });

    it('spans from the first commission to now by default, 30 points, ending at the current lifetime', async () => {
      const answer = await ask<{ earningsHistory: { unit: string; points: { at: string; lifetime: string }[] }[] }>(url(), earningsHistoryQuery, { aui: userA }, partner.headers);
      const points = answer.data?.earningsHistory[0].points ?? [];
      expect(points).toHaveLength(30);
      expect(points[0]).toEqual({ at: '2024-01-16T00:00:00.000000Z', lifetime: '0.12345', paidOut: '0' });
      expect(points[29]).toMatchObject({ lifetime: '4.02346', paidOut: '0.875' });
    });

    it('answers an empty list for an AUI with no data, and refuses bad ranges and point counts with BAD_USER_INPUT', async () => {
      expect((await ask(url(), earningsHistoryQuery, { aui: `nobody-${suffix}` }, partner.headers)).data).toEqual({ earningsHistory: [] });
      for (const variables of [{ points: 1 }, { points: 201 }, { from: '2024-05-01T00:00:00Z', to: '2024-01-01T00:00:00Z' }, { from: 'yesterday' }]) {
        const refused = await ask(url(), earningsHistoryQuery, { aui: userA, ...variables }, partner.headers);
        expect([refused.status, codesOf(refused)]).toEqual([400, ['BAD_USER_INPUT']]);
      }
    });
  });

  describe('commissionHistory', () => {
    it('lists every version the ledger applied, oldest first, each explained', async () => {
      const answer = await ask<{ commissionHistory: Record<string, unknown>[] }>(url(), commissionHistoryQuery, { aui: userC, source: 'wildfire', commissionId: id(7) }, partner.headers);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.commissionHistory).toEqual([
        { commissionId: id(7), modifiedDate: '2024-05-01T00:00:00.000000Z', state: 'PENDING', sourceStatus: 'pending', amount: '3', unit: 'USD', appliedAt: expect.any(String), statusExplanation: expect.stringMatching(/^Pending/) },
        { commissionId: id(7), modifiedDate: '2024-06-01T00:00:00.000002Z', state: 'PAYABLE', sourceStatus: 'paid', amount: '2.75', unit: 'USD', appliedAt: expect.any(String), statusExplanation: expect.stringMatching(/^Payable/) },
      ]);
    });

    it("answers an empty list for another AUI's commission, so a user cannot read it through their own AUI", async () => {
      const answer = await ask(url(), commissionHistoryQuery, { aui: userA, source: 'wildfire', commissionId: id(7) }, bearer(hs256Token(jwtSecret, { sub: userA })));
      expect(answer.data).toEqual({ commissionHistory: [] });
    });
  });

  describe('auth', () => {
    const queries = [
      ['earnings', earningsQuery],
      ['transactions', transactionsQuery],
      ['payouts', payoutsQuery],
      ['payoutSchedule', payoutScheduleQuery],
      ['earningsHistory', earningsHistoryQuery],
      ['commissionHistory', `query ($aui: ID!) { commissionHistory(aui: $aui, source: "wildfire", commissionId: "${id(2)}") { commissionId state amount } }`],
      ['statement', `query ($aui: ID!) { statement(aui: $aui, unit: "USD") { opening closing lines { edges { node { kind amount balance } } } } }`],
    ] as const;

    it.each(queries)('%s: no credentials is 401 UNAUTHENTICATED', async (_name, query) => {
      const answer = await ask(url(), query, { aui: userA });
      expect([answer.status, codesOf(answer), answer.data]).toEqual([401, ['UNAUTHENTICATED'], null]);
    });

    it.each(queries)('%s: an unknown API key, a forged token and an expired token are 401 UNAUTHENTICATED', async (_name, query) => {
      const forged = hs256Token('another-secret-that-is-at-least-32-chars', { sub: userA });
      const expired = hs256Token(jwtSecret, { sub: userA, exp: Math.floor(Date.now() / 1000) - 60 });
      for (const headers of [bearer('no-such-api-key'), bearer(forged), bearer(expired), { authorization: 'Basic dXNlcjpwYXNz' }]) {
        const answer = await ask(url(), query, { aui: userA }, headers);
        expect([answer.status, codesOf(answer)]).toEqual([401, ['UNAUTHENTICATED']]);
      }
    });

    it.each(queries)('%s: an API key with earnings:read reads any AUI', async (_name, query) => {
      for (const aui of [userA, userB]) {
        const answer = await ask(url(), query, { aui }, partner.headers);
        expect([answer.status, answer.errors]).toEqual([200, undefined]);
      }
    });

    it.each(queries)('%s: an API key without earnings:read is 403 FORBIDDEN', async (_name, query) => {
      const answer = await ask(url(), query, { aui: userA }, scopeless.headers);
      expect([answer.status, codesOf(answer)]).toEqual([403, ['FORBIDDEN']]);
    });

    it.each(queries)('%s: user A reads A, and is 403 FORBIDDEN for B', async (_name, query) => {
      const tokenOfA = bearer(hs256Token(jwtSecret, { sub: userA }));
      const own = await ask(url(), query, { aui: userA }, tokenOfA);
      expect([own.status, own.errors]).toEqual([200, undefined]);
      const other = await ask(url(), query, { aui: userB }, tokenOfA);
      expect([other.status, codesOf(other), other.data]).toEqual([403, ['FORBIDDEN'], null]);
    });

    it('user A cannot reach B by aliasing B next to A: the B field is FORBIDDEN and carries no data', async () => {
      const answer = await ask<Record<string, unknown>>(
        url(),
        'query ($a: ID!, $b: ID!) { mine: transactions(aui: $a) { edges { node { commissionId } } } theirs: payouts(aui: $b) { edges { node { id } } } }',
        { a: userA, b: userB },
        bearer(hs256Token(jwtSecret, { sub: userA })),
      );
      expect(codesOf(answer)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(answer)).not.toContain(id(9));
      expect(answer.data).toBeNull();
    });
  });

  describe('limits', () => {
    const limitedUrl = () => limited.url('query', '/graphql');

    // The main app's maximum page size is 5 (the default is 100); the other limits are the second app's.
    it('refuses a page larger than the maximum with BAD_USER_INPUT, and serves the maximum', async () => {
      for (const query of [transactionsQuery, payoutsQuery]) {
        const tooMany = await ask(url(), query, { aui: userA, first: 6 }, partner.headers);
        expect([tooMany.status, codesOf(tooMany), tooMany.errors?.[0].message]).toEqual([400, ['BAD_USER_INPUT'], 'first must be between 1 and 5']);
        const none = await ask(url(), query, { aui: userA, first: 0 }, partner.headers);
        expect(codesOf(none)).toEqual(['BAD_USER_INPUT']);
      }
      const maximum = await ask<{ transactions: Page<TransactionNode> }>(url(), transactionsQuery, { aui: userA, first: 5 }, partner.headers);
      expect(maximum.data?.transactions.edges).toHaveLength(5);
    });

    it('refuses a query deeper than the maximum before running it', async () => {
      const shallow = await ask(limitedUrl(), earningsQuery, { aui: userA }, partner.headers);
      expect(shallow.errors).toBeUndefined();
      const deep = await ask(limitedUrl(), 'query ($aui: ID!) { transactions(aui: $aui) { edges { node { commissionId } } } }', { aui: userA }, partner.headers);
      expect([deep.status, codesOf(deep), deep.data]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED'], null]);
      expect(deep.errors?.[0].message).toBe('Query depth limit of 3 exceeded, found 4.');
    });

    it('refuses a query costlier than the maximum before running it', async () => {
      const aliases = Array.from({ length: 40 }, (_unused, index) => `e${index}: earnings(aui: $aui) { aui updatedAt }`).join(' ');
      const costly = await ask(limitedUrl(), `query ($aui: ID!) { ${aliases} }`, { aui: userA }, partner.headers);
      expect([costly.status, codesOf(costly)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
      expect(costly.errors?.[0].message).toMatch(/^Query Cost limit of 100 exceeded, found \d+\.$/);
      const cheap = await ask(limitedUrl(), `query ($aui: ID!) { e0: earnings(aui: $aui) { aui updatedAt } }`, { aui: userA }, partner.headers);
      expect(cheap.errors).toBeUndefined();
    });

    it('turns introspection off when configured, and keeps it on where enabled', async () => {
      const introspection = '{ __schema { queryType { name } } }';
      const refused = await ask(limitedUrl(), introspection, {}, partner.headers);
      expect(refused.status).toBe(400);
      expect(new Set(codesOf(refused))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
      expect(refused.errors?.[0].message).toMatch(/introspection/i);
      const allowed = await ask(url(), introspection, {}, partner.headers);
      expect(allowed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });

    it('limits requests per credential with 429 RATE_LIMITED, other credentials unaffected', async () => {
      const burst = bearer('burst-api-key-e2e');
      const statuses: number[] = [];
      for (let request = 0; request < 7; request += 1) statuses.push((await ask(limitedUrl(), earningsQuery, { aui: userA }, burst)).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const limitedAnswer = await ask(limitedUrl(), earningsQuery, { aui: userA }, burst);
      expect(codesOf(limitedAnswer)).toEqual(['RATE_LIMITED']);
      // The partner key spent its own tokens in the tests above; a user's bucket is untouched.
      const other = await ask(limitedUrl(), earningsQuery, { aui: userA }, bearer(hs256Token(jwtSecret, { sub: userA })));
      expect([other.status, other.errors]).toEqual([200, undefined]);
    });
  });
});

function payout(payoutId: string, aui: string, amount: string, executedAt: string): PayoutExecuted {
  return { type: 'PayoutExecuted', schemaVersion: 1, payoutId, aui, unit: 'USD', amount, method: 'paypal', providerReference: null, coveredCommissions: [], executedAt };
}

/** Payouts arrive as the payout service would announce them, through the ledger's topic. */
async function producePayouts(payouts: PayoutExecuted[]): Promise<void> {
  await produceEvents(Topics.payoutExecuted, payouts.map((event) => ({
    key: event.aui,
    value: event,
    headers: cloudEventHeaders({ id: event.payoutId, type: 'PayoutExecuted', source: 'query-e2e', time: event.executedAt }),
  })));
}
