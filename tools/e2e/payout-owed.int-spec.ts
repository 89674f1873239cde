import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { admin, commission, ledgerBalances, PayoutStack, produceCommissions, setMethods, simulatorAdmin, sql, startPayoutStack, waitForPayoutsToSettle, waitForView } from './payout-scenario';
import { eventually, graphql, queryApiKey, runRebuildCommand, RunningApps, startApps, waitForProjectorToCatchUp } from './test-stack';

interface RunSummary {
  requested: number;
  skipped: Record<string, number>;
}

interface GraphPayout {
  id: string;
  amount: string;
  state: string;
  reason: string | null;
  covered: { commissionId: string; amount: string }[];
}

/**
 * Money leaves only when it is owed, seen at the public edges (admin API, GraphQL) with a real
 * broker, database, projector, payout service, query service and provider stand-ins. No AUI
 * prefix and no default method: the run sees every balance, as in production.
 */
describe('payouts pay exactly what is owed', () => {
  let stack: PayoutStack;
  let query: RunningApps;
  const key = queryApiKey('owed', 'payout-owed-query-key');
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;
  const usd = (name: string) => JSON.stringify([aui(name), 'USD']);
  const run = async (settle = true): Promise<RunSummary> => {
    const answer = await admin(stack, 'POST', '/admin/payout-runs');
    expect(answer.status).toBe(201);
    if (settle) await waitForPayoutsToSettle(stack);
    return answer.body as unknown as RunSummary;
  };
  const payoutsOf = async (name: string) => ((await admin(stack, 'GET', `/admin/payouts?aui=${encodeURIComponent(aui(name))}`)).body.payouts as { amount: string; state: string }[]);
  const ask = async <T>(text: string, name: string): Promise<T> => {
    const answer = await graphql<T>(query.url('query', '/graphql'), text, { aui: aui(name) }, key.headers);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data as T;
  };
  const graphPayouts = async (name: string) =>
    (await ask<{ payouts: { edges: { node: GraphPayout }[] } }>('query($aui: ID!) { payouts(aui: $aui) { edges { node { id amount state reason covered { commissionId amount } } } } }', name)).payouts.edges.map((edge) => edge.node);
  const balance = async (name: string) =>
    (await ask<{ earnings: { balances: Record<string, string>[] } }>('query($aui: ID!) { earnings(aui: $aui) { balances { unit available reserved paidOut pendingReversals } } }', name)).earnings.balances[0];

  beforeAll(async () => {
    stack = await startPayoutStack('payout-owed', { PAYOUT_AUI_PREFIX: '', PAYOUT_DEFAULT_METHOD: '' });
    query = await startApps(['query'], { ...key.env, KAFKA_BROKERS: stack.env.KAFKA_BROKERS, DATABASE_URL: stack.database.url, LOG_LEVEL: 'warn' });
  }, 300_000);

  afterAll(async () => {
    await query?.stopAll();
    await stack?.stop();
  });

  it('never pays unattributed money, and pays it once to the user a later version names', async () => {
    const orphan = commission({ aui: UNATTRIBUTED_AUI, commissionId: aui('orphan'), amount: '25', modifiedDate: '2026-01-01T00:00:00.000000Z' });
    await produceCommissions([orphan]);
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
    await eventually(() => sql(stack, `SELECT 1 FROM payout_balance WHERE aui = $1 AND available >= 25`, [UNATTRIBUTED_AUI]), (rows) => rows.length === 1, 60_000);
    const first = await run();
    expect(first.skipped.unattributed).toBeGreaterThanOrEqual(1);
    expect(await sql(stack, 'SELECT payout_id FROM payout WHERE aui = $1', [UNATTRIBUTED_AUI])).toEqual([]);

    await setMethods(stack, [{ aui: aui('claimed'), method: 'account_credit' }]);
    await produceCommissions([{ ...orphan, aui: aui('claimed'), observationId: `${orphan.observationId}:claimed`, modifiedDate: '2026-01-02T00:00:00.000000Z' }]);
    await waitForView(stack, new Map([[usd('claimed'), '25']]));
    await run();
    await run();
    expect((await payoutsOf('claimed')).map((payout) => [payout.amount, payout.state])).toEqual([['25', 'succeeded']]);
    expect((await ledgerBalances(stack)).get(usd('claimed'))?.paidOut.toFixed()).toBe('25');
  }, 240_000);

  it('withholds a known return that has not settled: 30 paid with -12 pending pays 18', async () => {
    await setMethods(stack, [{ aui: aui('returns'), method: 'account_credit' }]);
    await produceCommissions([
      commission({ aui: aui('returns'), commissionId: aui('purchase'), amount: '30', merchantOrderId: aui('order') }),
      commission({ aui: aui('returns'), commissionId: aui('item-return'), amount: '-12', state: 'PENDING', merchantOrderId: aui('order') }),
    ]);
    await waitForView(stack, new Map([[usd('returns'), '30']]));
    expect((await balance('returns')).pendingReversals).toBe('-12');
    await run();
    expect((await payoutsOf('returns')).map((payout) => payout.amount)).toEqual(['18']);
    await produceCommissions([commission({ aui: aui('returns'), commissionId: aui('item-return'), amount: '-12', modifiedDate: '2026-01-02T00:00:00.000000Z', merchantOrderId: aui('order') })]);
    await eventually(async () => (await balance('returns')), (figures) => figures.pendingReversals === '0', 60_000);
    expect(await balance('returns')).toEqual(expect.objectContaining({ available: '0', paidOut: '18', reserved: '0' }));
    await run();
    expect((await payoutsOf('returns')).map((payout) => payout.amount)).toEqual(['18']);
  }, 240_000);

  it('shows a payout in flight at once: available drops, reserved rises, and it is listed until it succeeds', async () => {
    const recipient = `held-${stack.auiPrefix}@example.com`;
    await simulatorAdmin(stack, '/_admin/payouts/held-recipients', { recipients: [recipient], held: true });
    await setMethods(stack, [{ aui: aui('inflight'), method: 'paypal', destination: recipient }]);
    await produceCommissions([commission({ aui: aui('inflight'), commissionId: aui('inflight-1'), amount: '40' })]);
    await waitForView(stack, new Map([[usd('inflight'), '40']]));
    await run(false);
    const held = await eventually(() => balance('inflight'), (figures) => figures?.reserved === '40', 60_000);
    expect(held).toEqual(expect.objectContaining({ available: '0', reserved: '40', paidOut: '0' }));
    // Requested, then submitted once PayPal answered PENDING: either way listed, held, not paid.
    await eventually(() => graphPayouts('inflight'), (payouts) => payouts.length === 1 && payouts[0].state === 'submitted', 60_000);
    await simulatorAdmin(stack, '/_admin/payouts/held-recipients', { recipients: [recipient], held: false });
    await eventually(() => balance('inflight'), (figures) => figures.paidOut === '40' && figures.reserved === '0', 60_000);
    expect((await graphPayouts('inflight')).map((payout) => payout.state)).toEqual(['succeeded']);
  }, 240_000);

  it('pays nobody who has no payout method, and counts them', async () => {
    await produceCommissions([commission({ aui: aui('nomethod'), commissionId: aui('nomethod-1'), amount: '50' })]);
    await waitForView(stack, new Map([[usd('nomethod'), '50']]));
    const summary = await run();
    expect(summary.skipped['no-method']).toBeGreaterThanOrEqual(1);
    expect(await payoutsOf('nomethod')).toEqual([]);
    const metrics = await (await fetch(stack.services.url('payout', '/metrics'))).text();
    expect(metrics).toMatch(/payout_run_skipped_total\{reason="no-method"\} [1-9]/);
  }, 240_000);

  it('says exactly which commissions each payout covered, oldest first', async () => {
    await setMethods(stack, [{ aui: aui('audit'), method: 'account_credit' }]);
    await produceCommissions([
      commission({ aui: aui('audit'), commissionId: aui('audit-b'), amount: '15', eventDate: '2026-01-02T00:00:00Z' }),
      commission({ aui: aui('audit'), commissionId: aui('audit-a'), amount: '10', eventDate: '2026-01-01T00:00:00Z' }),
    ]);
    await waitForView(stack, new Map([[usd('audit'), '25']]));
    await run();
    await produceCommissions([commission({ aui: aui('audit'), commissionId: aui('audit-c'), amount: '5', eventDate: '2026-01-03T00:00:00Z' })]);
    await waitForView(stack, new Map([[usd('audit'), '5']]));
    const [payout] = await graphPayouts('audit');
    expect(payout.covered).toEqual([{ commissionId: aui('audit-a'), amount: '10' }, { commissionId: aui('audit-b'), amount: '15' }]);
    const transactions = await ask<{ transactions: { edges: { node: { commissionId: string; paidOutAmount: string; paidBy: string[] } }[] } }>(
      'query($aui: ID!) { transactions(aui: $aui) { edges { node { commissionId paidOutAmount paidBy } } } }', 'audit');
    expect(transactions.transactions.edges.map((edge) => edge.node)).toEqual([
      { commissionId: aui('audit-c'), paidOutAmount: '0', paidBy: [] },
      { commissionId: aui('audit-b'), paidOutAmount: '15', paidBy: [payout.id] },
      { commissionId: aui('audit-a'), paidOutAmount: '10', paidBy: [payout.id] },
    ]);
  }, 240_000);

  it('records a payout that came back after success: paid out goes down, the user sees why, and it is paid again once', async () => {
    const recipient = `returned-${stack.auiPrefix}@example.com`;
    await setMethods(stack, [{ aui: aui('returned'), method: 'paypal', destination: recipient }]);
    await produceCommissions([commission({ aui: aui('returned'), commissionId: aui('returned-1'), amount: '20' })]);
    await waitForView(stack, new Map([[usd('returned'), '20']]));
    await run();
    expect((await payoutsOf('returned')).map((payout) => payout.state)).toEqual(['succeeded']);
    await simulatorAdmin(stack, '/_admin/payouts/returns', { recipient, itemStatus: 'RETURNED' });
    await eventually(() => balance('returned'), (figures) => figures.paidOut === '0' && figures.available === '20', 60_000);
    expect((await graphPayouts('returned')).map((payout) => [payout.state, payout.reason])).toEqual([['returned', 'paypal item RETURNED']]);
    await waitForView(stack, new Map([[usd('returned'), '20']]));
    await run();
    await run();
    expect((await payoutsOf('returned')).map((payout) => payout.state).sort()).toEqual(['returned', 'succeeded']);
    expect((await ledgerBalances(stack)).get(usd('returned'))?.paidOut.toFixed()).toBe('20');
  }, 240_000);

  it('shows a clawback after a payout as uncollected until later earnings offset it', async () => {
    await setMethods(stack, [{ aui: aui('clawback'), method: 'account_credit' }]);
    await produceCommissions([commission({ aui: aui('clawback'), commissionId: aui('clawback-1'), amount: '20' })]);
    await waitForView(stack, new Map([[usd('clawback'), '20']]));
    await run();
    await produceCommissions([commission({ aui: aui('clawback'), commissionId: aui('clawback-return'), amount: '-5' })]);
    await eventually(() => balance('clawback'), (figures) => figures.available === '-5', 60_000);
    expect((await ask<{ earnings: { balances: { uncollected: string }[] } }>('query($aui: ID!) { earnings(aui: $aui) { balances { uncollected } } }', 'clawback')).earnings.balances[0].uncollected).toBe('5');
  }, 240_000);

  it('a rebuild by replay gives the same holds, returns and balances: zero differences', async () => {
    await waitForPayoutsToSettle(stack);
    const report = await runRebuildCommand({ ...stack.env, PROJECTOR_CONSUMER_GROUP: stack.projectorGroup }, [`--aui-prefix=${stack.auiPrefix}-`]);
    // Either path (bulk or chunk by chunk): the shared topic may hold another suite's message PostgreSQL refuses.
    expect(report).toMatchObject({ differenceCount: 0, differences: [], payoutDifferences: [], coverageDifferences: [] });
  }, 240_000);
});
