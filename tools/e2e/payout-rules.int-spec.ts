import { Topics } from '@earnings/contracts';
import { Decimal } from '@earnings/domain';
import { eventually, readWholeTopic } from './test-stack';
import { admin, commission, ledgerBalances, PayoutStack, produceCommissions, setMethods, simulatorAdmin, simulatorPayouts, sql, startPayoutStack, waitForPayoutsToSettle, waitForView } from './payout-scenario';

interface ListedPayout {
  payoutId: string;
  amount: string;
  state: string;
  method: string;
  coveredCommissions: { source: string; commissionId: string }[];
}

/**
 * The payout rules end to end (real broker, database, projector and provider stand-ins): the
 * threshold, rounding down with the remainder carried, clawbacks, network-paid amounts, and a
 * provider failure releasing the funds; and the admin API's edges.
 */
describe('payout rules', () => {
  let stack: PayoutStack;
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;
  const key = (name: string) => JSON.stringify([aui(name), 'USD']);
  const payoutsOf = async (name: string): Promise<ListedPayout[]> => (await admin(stack, 'GET', `/admin/payouts?aui=${encodeURIComponent(aui(name))}`)).body.payouts as ListedPayout[];
  const run = async () => {
    const answer = await admin(stack, 'POST', '/admin/payout-runs');
    expect(answer.status).toBe(201);
    await waitForPayoutsToSettle(stack);
    return answer.body;
  };
  const view = (entries: [string, string][]) => waitForView(stack, new Map(entries.map(([name, available]) => [key(name), available])));

  beforeAll(async () => {
    stack = await startPayoutStack('payout-rules');
    await setMethods(stack, [{ aui: aui('failing'), method: 'paypal', destination: `declined-${stack.auiPrefix}@example.com` }]);
    await simulatorAdmin(stack, '/_admin/payouts/failing-recipients', { recipients: [`declined-${stack.auiPrefix}@example.com`] });
    await produceCommissions([
      commission({ aui: aui('threshold'), commissionId: aui('threshold-1'), amount: '9.99' }),
      commission({ aui: aui('rounding'), commissionId: aui('rounding-1'), amount: '12.34567' }),
      commission({ aui: aui('clawback'), commissionId: aui('clawback-1'), amount: '20' }),
      commission({ aui: aui('network'), commissionId: aui('network-1'), amount: '100', paidByNetwork: true }),
      commission({ aui: aui('network'), commissionId: aui('network-2'), amount: '11.5' }),
      commission({ aui: aui('failing'), commissionId: aui('failing-1'), amount: '25' }),
    ]);
    await view([['threshold', '9.99'], ['rounding', '12.34567'], ['clawback', '20'], ['network', '11.5'], ['failing', '25']]);
    await run();
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('pays nobody below the threshold, and pays once the balance reaches it', async () => {
    expect(await payoutsOf('threshold')).toEqual([]);
    await produceCommissions([commission({ aui: aui('threshold'), commissionId: aui('threshold-2'), amount: '0.02' })]);
    await view([['threshold', '10.01']]);
    await run();
    expect((await payoutsOf('threshold')).map((payout) => [payout.amount, payout.state])).toEqual([['10.01', 'succeeded']]);
  }, 120_000);

  it('rounds down to cents, carries the remainder, and pays it with later earnings', async () => {
    expect((await payoutsOf('rounding')).map((payout) => [payout.amount, payout.state, payout.method])).toEqual([['12.34', 'succeeded', 'account_credit']]);
    expect((await ledgerBalances(stack)).get(key('rounding'))?.available.toFixed()).toBe('0.00567');
    await produceCommissions([commission({ aui: aui('rounding'), commissionId: aui('rounding-2'), amount: '9.99433' })]);
    await view([['rounding', '10']]);
    await run();
    expect((await payoutsOf('rounding')).map((payout) => payout.amount).sort()).toEqual(['10', '12.34']);
    const figures = (await ledgerBalances(stack)).get(key('rounding'));
    expect([figures?.paidOut.toFixed(), figures?.available.toFixed()]).toEqual(['22.34', '0']);
  }, 120_000);

  it('never pays a negative balance after a clawback; later earnings offset it first', async () => {
    expect((await payoutsOf('clawback')).map((payout) => payout.amount)).toEqual(['20']);
    await produceCommissions([commission({ aui: aui('clawback'), commissionId: aui('clawback-return'), amount: '-5' })]);
    await view([['clawback', '-5']]);
    await run();
    await produceCommissions([commission({ aui: aui('clawback'), commissionId: aui('clawback-2'), amount: '12' })]);
    await view([['clawback', '7']]);
    await run();
    expect((await payoutsOf('clawback')).map((payout) => payout.amount)).toEqual(['20']);
    await produceCommissions([commission({ aui: aui('clawback'), commissionId: aui('clawback-3'), amount: '8' })]);
    await view([['clawback', '15']]);
    await run();
    expect((await payoutsOf('clawback')).map((payout) => payout.amount).sort()).toEqual(['15', '20']);
    const figures = (await ledgerBalances(stack)).get(key('clawback'));
    expect([figures?.payable.toFixed(), figures?.paidOut.toFixed(), figures?.available.toFixed()]).toEqual(['35', '35', '0']);
  }, 180_000);

  it('never pays what the network paid the user itself', async () => {
    const payouts = await payoutsOf('network');
    expect(payouts.map((payout) => payout.amount)).toEqual(['11.5']);
    const figures = (await ledgerBalances(stack)).get(key('network'));
    expect([figures?.paidByNetwork.toFixed(), figures?.paidOut.toFixed(), figures?.available.toFixed()]).toEqual(['100', '11.5', '0']);
  });

  it('releases the funds of a payout the provider refused, announces PayoutFailed, and pays them by the next run', async () => {
    // Every run offers the released funds again; with the recipient still refused, each attempt fails the same way.
    const refused = await payoutsOf('failing');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(new Set(refused.map((payout) => `${payout.amount} ${payout.state} ${payout.method}`))).toEqual(new Set(['25 failed paypal']));
    const failures = (await readWholeTopic(Topics.payoutFailed)).filter((message) => message.key === aui('failing')).map((message) => JSON.parse(message.value));
    expect(failures.map((failure) => failure.payoutId).sort()).toEqual(refused.map((payout) => payout.payoutId).sort());
    expect(failures[0]).toEqual(expect.objectContaining({ type: 'PayoutFailed', amount: '25', reason: 'paypal batch DENIED' }));
    expect((await ledgerBalances(stack)).get(key('failing'))?.paidOut.toFixed()).toBe('0');
    await setMethods(stack, [{ aui: aui('failing'), method: 'paypal', destination: `ok-${stack.auiPrefix}@example.com` }]);
    // A changed destination holds the user's payouts (PAYOUT_METHOD_CHANGE_HOLD_HOURS): the partner confirmed the fix with the user and lifts it.
    expect((await admin(stack, 'POST', `/admin/users/${encodeURIComponent(aui('failing'))}/security-hold/lift`, { reason: 'address fixed with the user' })).status).toBe(200);
    await run();
    const payouts = await payoutsOf('failing');
    expect(payouts.filter((payout) => payout.state !== 'failed').map((payout) => [payout.amount, payout.state])).toEqual([['25', 'succeeded']]);
    const provider = await simulatorPayouts(stack);
    expect(provider.executed.filter((payout) => payout.recipient.includes(stack.auiPrefix)).map((payout) => payout.amount)).toEqual(['25.00']);
    expect((await ledgerBalances(stack)).get(key('failing'))?.paidOut.toFixed()).toBe('25');
  }, 120_000);

  it('keeps the ledger and the payouts in agreement for every user', async () => {
    const ledger = await ledgerBalances(stack);
    for (const [, figures] of ledger) expect(figures.paidOut.lte(figures.payable)).toBe(true);
    expect([...ledger.values()].every((figures) => figures.available.gte(new Decimal(0)) || figures.paidOut.gt(0))).toBe(true);
  });

  it('delivers rewards once and marks each covered FirstPromoter commission fulfilled exactly once (a batch process for more than 5)', async () => {
    const headers = { authorization: 'Bearer dev-firstpromoter-key', 'account-id': 'dev-account' };
    const listed = (await (await fetch(stack.simulator.url('partner-simulator', '/api/v2/company/commissions?page=1&per_page=100'), { headers })).json()) as { id: number }[];
    const ids = listed.map((item) => item.id).slice(0, 9);
    expect(ids.length).toBe(9);
    // Seven credits commissions of one user (a batch process), two of another (answered at once).
    await produceCommissions(ids.map((id, index) => commission({
      aui: aui(index < 7 ? 'rewards-a' : 'rewards-b'), commissionId: String(id), amount: index < 7 ? '30' : '60.75', unit: 'credits', source: 'firstpromoter',
    })));
    await waitForView(stack, new Map([[JSON.stringify([aui('rewards-a'), 'credits']), '210'], [JSON.stringify([aui('rewards-b'), 'credits']), '121.5']]));
    // A reward payout covers the commissions the payout service's own reward consumer applied: wait for it too, not only for the balance view.
    await eventually(
      async () => (await sql(stack, `SELECT count(*)::text AS count FROM reward_commission WHERE commission_id = ANY($1) AND state = 'PAYABLE'`, [ids.map(String)]))[0].count,
      (count) => count === '9', 60_000);
    const summary = await run();
    // The run checked that its reward consumer had caught up before it paid credits.
    expect(summary.rewardCommissions).toEqual({ caughtUp: true, messagesBehind: '0' });
    expect((await payoutsOf('rewards-a')).map((payout) => [payout.amount, payout.method, payout.state])).toEqual([['210', 'ledger_credit', 'succeeded']]);
    // Whole credits: 121 is paid, the half credit stays; so the second commission is paid only in part and not covered yet.
    const [rewardsB] = await payoutsOf('rewards-b');
    expect({ amount: rewardsB.amount, covered: rewardsB.coveredCommissions.map((covered) => covered.commissionId) }).toEqual({ amount: '121', covered: [String(ids[7])] });
    // Settled once the service recorded every mark (after following the batch process to its end): each commission paid in full, once.
    await eventually(async () => (await sql(stack, 'SELECT count(*)::text AS count, count(marked_at)::text AS marked FROM reward_fulfilment'))[0], (row) => row.count === '8' && row.marked === '8', 60_000);
    const marks = ((await (await fetch(stack.simulator.url('partner-simulator', '/_admin/firstpromoter/actions'))).json()) as Record<string, Record<string, number>>).mark_fulfilled ?? {};
    expect(ids.map((id) => marks[String(id)])).toEqual([...ids.slice(0, 8).map(() => 1), undefined]);

    // The partner takes back rewards-b's delivery: FirstPromoter hears mark_unfulfilled once for the commission it covered.
    const [reversedPayout] = await payoutsOf('rewards-b');
    const reverse = () =>
      fetch(stack.services.url('payout', `/admin/payouts/${reversedPayout.payoutId}/reversal`), { method: 'POST', headers: { authorization: `Bearer ${stack.adminToken}` } });
    const reversal = (await (await reverse()).json()) as { reversedCommissionIds: string[] };
    expect(reversal.reversedCommissionIds).toEqual([String(ids[7])]);
    expect(((await (await reverse()).json()) as { reversedCommissionIds: string[] }).reversedCommissionIds).toEqual([]);
    const unmarks = await eventually(
      async () => ((await (await fetch(stack.simulator.url('partner-simulator', '/_admin/firstpromoter/actions'))).json()) as Record<string, Record<string, number>>).mark_unfulfilled ?? {},
      (counts) => Object.keys(counts).length >= 1,
      30_000,
    );
    expect(unmarks).toEqual({ [String(ids[7])]: 1 });
    expect((await fetch(stack.services.url('payout', '/admin/payouts/no-such-payout/reversal'), { method: 'POST', headers: { authorization: `Bearer ${stack.adminToken}` } })).status).toBe(404);
  }, 120_000);

  describe('the admin API', () => {
    const raw = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      fetch(stack.services.url('payout', path), { method, headers, body }).then(async (response) => ({ status: response.status, body: await response.json() }));

    it('refuses a request without the admin token with a machine-readable error', async () => {
      expect(await raw('POST', '/admin/payout-runs', {})).toEqual({ status: 401, body: { error: { code: 'unauthenticated', message: expect.any(String) } } });
      expect((await raw('GET', `/admin/payouts?aui=x`, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    });

    it('refuses an unknown method and a PayPal method without an email', async () => {
      const headers = { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' };
      const unknown = await raw('PUT', `/admin/users/${aui('x')}/payout-method`, headers, JSON.stringify({ method: 'cash' }));
      expect(unknown).toEqual({ status: 400, body: { error: { code: 'invalid-request', message: expect.stringContaining('method') } } });
      const noEmail = await raw('PUT', `/admin/users/${aui('x')}/payout-method`, headers, JSON.stringify({ method: 'paypal', destination: 'not-an-email' }));
      expect(noEmail.status).toBe(400);
      expect((await raw('GET', '/admin/payouts', headers)).status).toBe(400);
    });
  });
});
