import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import { Client } from 'pg';
import { admin, PayoutStack, startPayoutStack, waitForPayoutsToSettle, waitForView, waitForViewToCatchUp } from './payout-scenario';
import { eventually, graphql, queryApiKey, runRebuildCommand, RunningApps, signedWildfireCallback, startApps, TestCommission, waitForProjectorToCatchUp } from './test-stack';

interface RunSummary {
  requested: number;
  skipped: Record<string, number>;
}

interface GraphBalance {
  available: string;
  spendable: string;
  uncollected: string;
  paidOut: string;
  withheld: { total: string; reasons: { reason: string; amount: string; merchantOrderId: string | null }[] };
}

interface GraphTransaction {
  commissionId: string;
  amount: string;
  paidOutAmount: string;
  uncollected: string;
  paidBy: string[];
}

/**
 * What the page shows is what the run pays (issue 22), at the public edges only: signed Wildfire
 * callbacks into ingest, the payout admin API, GraphQL; with the real broker, database, projector,
 * payout service and query service. One test per finding: the page after a run that paid what was
 * owed (1), pending returns netted per order (2), a run on a lagging view (3), the recorded coverage
 * (4) and a re-attribution between real users after a payout (8).
 */
describe('what the page shows is what the run pays', () => {
  let stack: PayoutStack;
  let edges: RunningApps;
  const key = queryApiKey('page', 'payout-page-query-key');
  // Wildfire commission ids of this run: the commission topic is shared by the run's suites.
  const idBase = 700_000_000 + Math.floor(Math.random() * 90_000_000);
  let nextId = 0;
  const newId = () => idBase + (nextId += 1);
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;
  const day = (n: number, micros = 0) => `2026-03-${String(n).padStart(2, '0')}T10:00:00.${String(micros).padStart(6, '0')}Z`;

  const callback = async (commission: TestCommission): Promise<void> => {
    const signed = signedWildfireCallback(commission);
    const response = await fetch(edges.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: signed.headers, body: signed.body });
    expect(response.status).toBe(200);
  };
  const run = async (): Promise<RunSummary> => {
    const answer = await admin(stack, 'POST', '/admin/payout-runs');
    expect(answer.status).toBe(201);
    await waitForPayoutsToSettle(stack);
    return answer.body as unknown as RunSummary;
  };
  const payoutsOf = async (name: string) => ((await admin(stack, 'GET', `/admin/payouts?aui=${encodeURIComponent(aui(name))}`)).body.payouts as { payoutId: string; amount: string; state: string }[]);
  const ask = async <T>(text: string, variables: Record<string, unknown>): Promise<T> => {
    const answer = await graphql<T>(edges.url('query', '/graphql'), text, variables, key.headers);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data as T;
  };
  const balance = async (name: string): Promise<GraphBalance> =>
    (await ask<{ earnings: { balances: GraphBalance[] } }>(
      'query($aui: ID!) { earnings(aui: $aui) { balances { available spendable uncollected paidOut withheld { total reasons { reason amount merchantOrderId } } } } }', { aui: aui(name) },
    )).earnings.balances[0];
  const schedule = async (name: string, fields = 'reached remaining') =>
    (await ask<{ payoutSchedule: Record<string, unknown>[] }>(`query($aui: ID!) { payoutSchedule(aui: $aui) { ${fields} } }`, { aui: aui(name) })).payoutSchedule[0];
  const available = async (name: string): Promise<string | undefined> =>
    (await ask<{ earnings: { balances: { available: string }[] } }>('query($aui: ID!) { earnings(aui: $aui) { balances { available } } }', { aui: aui(name) })).earnings.balances[0]?.available;
  const transactions = async (name: string): Promise<GraphTransaction[]> =>
    (await ask<{ transactions: { edges: { node: GraphTransaction }[] } }>('query($aui: ID!) { transactions(aui: $aui) { edges { node { commissionId amount paidOutAmount uncollected paidBy } } } }', { aui: aui(name) }))
      .transactions.edges.map((edge) => edge.node);
  const covered = async (name: string) =>
    (await ask<{ payouts: { edges: { node: { id: string; amount: string; covered: { commissionId: string; amount: string }[] } }[] } }>(
      'query($aui: ID!) { payouts(aui: $aui) { edges { node { id amount covered { commissionId amount } } } } }', { aui: aui(name) },
    )).payouts.edges.map((edge) => edge.node).reverse();
  /** Waits until the ledger applied every callback sent so far and the payout service's view heard it. */
  const settled = async () => {
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
    await waitForViewToCatchUp(stack);
  };

  beforeAll(async () => {
    stack = await startPayoutStack('payout-page');
    edges = await startApps(['ingest', 'query'], {
      ...key.env, KAFKA_BROKERS: stack.env.KAFKA_BROKERS, DATABASE_URL: stack.database.url, LOG_LEVEL: 'warn',
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
    });
  }, 300_000);

  afterAll(async () => {
    await edges?.stopAll();
    await stack?.stop();
  });

  it('1. after a run paid what was owed, the page promises no other payout and says what is withheld and why', async () => {
    const order = `order-${aui('page')}`;
    await callback({ id: newId(), aui: aui('page'), status: 'paid', amount: '30', eventDate: day(1), modifiedDate: day(2), merchantOrderId: order });
    await callback({ id: newId(), aui: aui('page'), status: 'pending', amount: '-12', eventDate: day(3), modifiedDate: day(3), merchantOrderId: order });
    await settled();
    await run();
    expect((await payoutsOf('page')).map((payout) => [payout.amount, payout.state])).toEqual([['18', 'succeeded']]);
    // The run will pay nothing more until the return settles: the page must not promise it.
    expect(await schedule('page')).toEqual({ reached: false, remaining: '10' });
    expect(await schedule('page', 'spendable')).toEqual({ spendable: '0' });
    expect(await balance('page')).toEqual({
      available: '12', spendable: '0', uncollected: '0', paidOut: '18',
      withheld: { total: '12', reasons: [{ reason: 'PENDING_RETURN', amount: '12', merchantOrderId: order }] },
    });
    // And the run agrees: nothing more is paid until the return settles.
    await run();
    expect((await payoutsOf('page')).map((payout) => payout.amount)).toEqual(['18']);
  }, 240_000);

  it('2. a pending return withholds only what its own order made payable', async () => {
    await callback({ id: newId(), aui: aui('netted'), status: 'paid', amount: '20', eventDate: day(1), modifiedDate: day(2), merchantOrderId: `order-a-${aui('netted')}` });
    await callback({ id: newId(), aui: aui('netted'), status: 'pending', amount: '10', eventDate: day(4), modifiedDate: day(4), merchantOrderId: `order-b-${aui('netted')}` });
    await callback({ id: newId(), aui: aui('netted'), status: 'pending', amount: '-10', eventDate: day(5), modifiedDate: day(5), merchantOrderId: `order-b-${aui('netted')}` });
    await settled();
    await run();
    expect((await payoutsOf('netted')).map((payout) => [payout.amount, payout.state])).toEqual([['20', 'succeeded']]);
    expect((await ask<{ earnings: { balances: { paidOut: string; pendingReversals: string }[] } }>('query($aui: ID!) { earnings(aui: $aui) { balances { paidOut pendingReversals } } }', { aui: aui('netted') })).earnings.balances[0])
      .toEqual({ paidOut: '20', pendingReversals: '0' });
  }, 240_000);

  it('3. a run never decides on a view behind the ledger: the user is skipped as view-behind, not paid what a rejection took', async () => {
    const commissionId = newId();
    await callback({ id: commissionId, aui: aui('lagging'), status: 'paid', amount: '25', eventDate: day(1), modifiedDate: day(2) });
    await waitForView(stack, new Map([[JSON.stringify([aui('lagging'), 'USD']), '25']]));
    // Holding the view's row stops the payout service's consumer at it: its view lags while the ledger moves on.
    const blocker = new Client({ connectionString: stack.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM payout_balance WHERE aui = $1 FOR UPDATE', [aui('lagging')]);
      await callback({ id: commissionId, aui: aui('lagging'), status: 'disqualified', amount: '25', eventDate: day(1), modifiedDate: day(6) });
      await eventually(() => available('lagging'), (figure) => figure === '0', 60_000);
      const answer = await admin(stack, 'POST', '/admin/payout-runs');
      expect(answer.status).toBe(201);
      expect((answer.body as unknown as RunSummary).skipped['view-behind']).toBeGreaterThanOrEqual(1);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    await run();
    expect(await payoutsOf('lagging')).toEqual([]);
    const metrics = await (await fetch(stack.services.url('payout', '/metrics'))).text();
    expect(metrics).toMatch(/payout_run_skipped_total\{reason="view-behind"\} [1-9]/);
  }, 240_000);

  it('4. what a payout covered is recorded when it succeeds and never rewritten; a settled return settles its purchase; a later reversal shows as uncollected', async () => {
    const [purchase, itemReturn, second, third] = [newId(), newId(), newId(), newId()];
    const order = `order-${aui('audit')}`;
    await callback({ id: purchase, aui: aui('audit'), status: 'paid', amount: '30', eventDate: day(1), modifiedDate: day(2), merchantOrderId: order });
    await callback({ id: itemReturn, aui: aui('audit'), status: 'paid', amount: '-12', eventDate: day(3), modifiedDate: day(4), merchantOrderId: order });
    await settled();
    await run();
    await callback({ id: second, aui: aui('audit'), status: 'paid', amount: '20', eventDate: day(5), modifiedDate: day(5) });
    await settled();
    await run();
    // The second purchase is partly returned after its payout (order level: the same commission, a smaller amount).
    await callback({ id: second, aui: aui('audit'), status: 'paid', amount: '15', eventDate: day(5), modifiedDate: day(7) });
    await settled();
    const [first, paidSecond] = await covered('audit');
    expect(first.covered).toEqual([{ commissionId: String(purchase), amount: '30' }, { commissionId: String(itemReturn), amount: '-12' }]);
    expect(paidSecond.covered).toEqual([{ commissionId: String(second), amount: '20' }]);
    expect((await transactions('audit')).map(({ commissionId, amount, paidOutAmount, uncollected }) => [commissionId, amount, paidOutAmount, uncollected])).toEqual([
      [String(second), '15', '20', '5'],
      [String(itemReturn), '-12', '-12', '0'],
      [String(purchase), '30', '30', '0'],
    ]);
    expect((await balance('audit')).uncollected).toBe('5');

    // Later earnings make the clawback up: the next payout settles it and covers the new purchase.
    await callback({ id: third, aui: aui('audit'), status: 'paid', amount: '20', eventDate: day(8), modifiedDate: day(8) });
    await settled();
    await run();
    const payouts = await covered('audit');
    expect(payouts.map((payout) => [payout.amount, payout.covered])).toEqual([
      ['18', first.covered], ['20', paidSecond.covered], ['15', [{ commissionId: String(second), amount: '-5' }, { commissionId: String(third), amount: '20' }]],
    ]);
    const after = await transactions('audit');
    expect(after.map(({ commissionId, paidOutAmount, uncollected, paidBy }) => [commissionId, paidOutAmount, uncollected, paidBy])).toEqual([
      [String(third), '20', '0', [payouts[2].id]],
      [String(second), '15', '0', [payouts[1].id, payouts[2].id]],
      [String(itemReturn), '-12', '0', [payouts[0].id]],
      [String(purchase), '30', '0', [payouts[0].id]],
    ]);
  }, 300_000);

  it('8. a paid commission moved to another real user: the source wins, the first user sees the clawback and why, without whom, and it is counted', async () => {
    const moved = newId();
    await callback({ id: moved, aui: aui('first'), status: 'paid', amount: '30', eventDate: day(1), modifiedDate: day(2) });
    await settled();
    await run();
    expect((await payoutsOf('first')).map((payout) => payout.amount)).toEqual(['30']);
    const counted = async () => reattributedUsd(await (await fetch(stack.services.url('ledger-projector', '/metrics'))).text());
    const before = await counted();

    await callback({ id: moved, aui: aui('second'), status: 'paid', amount: '30', eventDate: day(1), modifiedDate: day(9) });
    await settled();
    // The first user's history says where the money went (a version that names someone else, not whom)...
    const history = (fields: string) => ask<{ commissionHistory: Record<string, string>[] }>(
      `query($aui: ID!, $id: ID!) { commissionHistory(aui: $aui, source: "wildfire", commissionId: $id) { ${fields} } }`, { aui: aui('first'), id: String(moved) },
    );
    const told = await history('amount statusExplanation');
    expect(told.commissionHistory.map(({ amount }) => amount)).toEqual(['30', '0']);
    expect(told.commissionHistory[1].statusExplanation).toMatch(/another user/);
    const owners = await history('owner amount state modifiedDate trackingCodeAsSent');
    expect(owners.commissionHistory.map(({ owner, amount }) => [owner, amount])).toEqual([['YOU', '30'], ['ANOTHER_USER', '0']]);
    expect(JSON.stringify([told, owners])).not.toContain(aui('second'));
    // ...its clawback shows as uncollected, withheld from later earnings, and the projector counts it.
    expect(await balance('first')).toEqual(expect.objectContaining({ available: '-30', spendable: '0', uncollected: '30', withheld: { total: '30', reasons: [{ reason: 'UNCOLLECTED', amount: '30', merchantOrderId: null }] } }));
    expect((await counted()) - before).toBe(30);

    // The source of record wins: the second user is paid it; the first is not paid again until later earnings make the 30 up.
    await run();
    expect((await payoutsOf('second')).map((payout) => payout.amount)).toEqual(['30']);
    expect((await payoutsOf('first')).map((payout) => payout.amount)).toEqual(['30']);
  }, 240_000);

  it('4. a rebuild by replay records the same coverage, row for row, and readers switch to it with the other ledger views', async () => {
    const before = await covered('audit');
    const report = await runRebuildCommand({ ...stack.env, PROJECTOR_CONSUMER_GROUP: stack.projectorGroup }, [`--aui-prefix=${stack.auiPrefix}-`, '--switch']);
    expect(report).toMatchObject({ differenceCount: 0, differences: [], payoutDifferences: [], coverageDifferences: [], switched: true });
    expect(await covered('audit')).toEqual(before);
  }, 240_000);
});

/** The projector's ledger_reattributed_payable_total for USD (0 before any). */
function reattributedUsd(metrics: string): number {
  const match = /^ledger_reattributed_payable_total\{unit="USD"\} (\S+)$/m.exec(metrics);
  return match === null ? 0 : Number(match[1]);
}
