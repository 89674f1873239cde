import { createHmac, randomInt } from 'node:crypto';
import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import { commissionData } from './firstpromoter-scenario';
import { PayoutStack, startPayoutStack, waitForPayoutsToSettle, waitForViewToCatchUp } from './payout-scenario';
import { eventually, graphql, queryApiKey, RunningApps, signedWildfireCallback, startApps, waitForProjectorToCatchUp } from './test-stack';

const webhookSecret = 'payout-review-fp-webhook-secret-0123456789';

interface RunSummary {
  runId: string;
  requested: number;
  inReview: number;
  skipped: Record<string, number>;
}

interface ListedPayout {
  payoutId: string;
  amount: string;
  state: string;
  runId: string;
  failureReason: string | null;
  review: { state: string; reason: string | null; decidedBy: string | null; decidedAt: string | null } | null;
}

interface GraphEarnings {
  balances: { lifetime: string; available: string; spendable: string; withheld: { total: string; reasons: { reason: string; amount: string; commissionId: string | null; explanation: string }[] } }[];
  securityHold: { until: string; methodChangedAt: string; explanation: string } | null;
}

/**
 * Issue 27, at the public edges only: signed Wildfire callbacks and FirstPromoter webhooks into
 * ingest, the payout admin API, GraphQL; with the real broker, database, projector, payout and
 * query services. The partner reviews payouts above 50 (PAYOUT_REVIEW=above:50); changing a payout
 * method holds the user's payouts (PAYOUT_METHOD_CHANGE_HOLD_HOURS); a commission FirstPromoter's
 * fraud check flagged is held until cleared.
 */
describe('payout review, security hold and fraud holds', () => {
  let stack: PayoutStack;
  let edges: RunningApps;
  const key = queryApiKey('review', 'payout-review-query-key');
  const idBase = 800_000_000 + randomInt(0, 90_000_000);
  let nextId = 0;
  const newId = () => idBase + (nextId += 1);
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;

  const adminCall = async (method: string, path: string, body?: unknown, actor?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(stack.services.url('payout', path), {
      method,
      headers: {
        authorization: `Bearer ${stack.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(actor === undefined ? {} : { 'x-admin-actor': actor }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const wildfire = async (name: string, amount: string): Promise<void> => {
    const signed = signedWildfireCallback({ id: newId(), aui: aui(name), status: 'paid', amount, eventDate: '2026-03-01T10:00:00.000000Z', modifiedDate: '2026-03-02T10:00:00.000000Z' });
    const response = await fetch(edges.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: signed.headers, body: signed.body });
    expect(response.status).toBe(200);
  };
  /** An approved FirstPromoter cash commission (amount in cents, as FirstPromoter sends it) for `name`, with its fraud signals. */
  const firstPromoter = async (name: string, cents: number, signals: { is_self_referral?: boolean; fraud_check?: string }, unit = 'cash'): Promise<string> => {
    const id = newId();
    const data = {
      ...commissionData({ id, status: 'approved', unit, amount: cents, promoterId: 7, custId: aui(name), campaignId: 77, statusUpdatedAt: '2026-10-09T10:00:00.000Z' }),
      ...signals,
    };
    const raw = JSON.stringify({
      event_id: `review-${id}`, event_type: 'commission.created', action: 'created', entity_type: 'commission', entity_id: id, changes: {}, data, timestamp: '2026-10-09T10:00:00.001Z',
    });
    const response = await fetch(edges.url('ingest', '/webhooks/firstpromoter'), {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-signature': createHmac('sha256', webhookSecret).update(raw).digest('hex') }, body: raw,
    });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: expect.anything() });
    return String(id);
  };
  const settled = async () => {
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
    await waitForViewToCatchUp(stack);
  };
  const run = async (): Promise<RunSummary> => {
    const answer = await adminCall('POST', '/admin/payout-runs');
    expect(answer.status).toBe(201);
    await waitForPayoutsToSettle(stack);
    return answer.body as unknown as RunSummary;
  };
  const payoutsOf = async (name: string) => (await adminCall('GET', `/admin/payouts?aui=${encodeURIComponent(aui(name))}`)).body.payouts as ListedPayout[];
  const earnings = async (name: string): Promise<GraphEarnings> => {
    const answer = await graphql<{ earnings: GraphEarnings }>(
      edges.url('query', '/graphql'),
      'query($aui: ID!) { earnings(aui: $aui) { balances { lifetime available spendable withheld { total reasons { reason amount commissionId explanation } } } securityHold { until methodChangedAt explanation } } }',
      { aui: aui(name) }, key.headers,
    );
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data!.earnings;
  };
  const schedule = async (name: string): Promise<{ unit: string; reached: boolean; review: boolean }[]> => {
    const answer = await graphql<{ payoutSchedule: { unit: string; reached: boolean; review: boolean }[] }>(
      edges.url('query', '/graphql'), 'query($aui: ID!) { payoutSchedule(aui: $aui) { unit reached review } }', { aui: aui(name) }, key.headers,
    );
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data!.payoutSchedule;
  };
  const setMethod = async (name: string, destination: string) => {
    const answer = await adminCall('PUT', `/admin/users/${encodeURIComponent(aui(name))}/payout-method`, { method: 'paypal', destination });
    expect(answer.status).toBe(200);
    return answer.body as { securityHoldUntil: string | null };
  };

  beforeAll(async () => {
    stack = await startPayoutStack('payout-review', { PAYOUT_REVIEW: 'above:50', PAYOUT_THRESHOLDS: 'USD:10' });
    edges = await startApps(['ingest', 'query'], {
      ...key.env, KAFKA_BROKERS: stack.env.KAFKA_BROKERS, DATABASE_URL: stack.database.url, LOG_LEVEL: 'warn',
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY, FIRSTPROMOTER_WEBHOOK_SECRETS: webhookSecret, FIRSTPROMOTER_RECONCILE_ON_START: 'false',
    });
  }, 300_000);

  afterAll(async () => {
    await edges?.stopAll();
    await stack?.stop();
  });

  it('under above:50 a run pays the small payouts and holds the large one, shown as being reviewed, until an operator approves it', async () => {
    await wildfire('small', '30');
    await wildfire('large', '80');
    await settled();
    // Before the run, the page says which payout will wait for the review (the payout service published its policy).
    expect(await schedule('large')).toEqual([{ unit: 'USD', reached: true, review: true }]);
    expect(await schedule('small')).toEqual([{ unit: 'USD', reached: true, review: false }]);
    const summary = await run();
    expect(summary).toMatchObject({ requested: 2, inReview: 1 });
    expect((await payoutsOf('small')).map((payout) => [payout.amount, payout.state, payout.review])).toEqual([['30', 'succeeded', null]]);
    const [held] = await payoutsOf('large');
    expect(held).toMatchObject({ amount: '80', state: 'requested', review: { state: 'pending', decidedBy: null } });
    // Out of spendable, and the user is told why.
    const large = (await earnings('large')).balances[0];
    expect(large).toMatchObject({ lifetime: '80', spendable: '0' });
    expect(large.withheld.reasons).toEqual([expect.objectContaining({ reason: 'PAYOUT_IN_REVIEW', amount: '80', explanation: expect.stringContaining('being reviewed') })]);
    expect((await adminCall('GET', `/admin/payout-reviews?runId=${summary.runId}`)).body.payouts).toEqual([expect.objectContaining({ payoutId: held.payoutId, amount: '80' })]);
    // A second run does not pay it again meanwhile.
    expect((await run()).requested).toBe(0);

    const approved = await adminCall('POST', `/admin/payouts/${held.payoutId}/review`, { decision: 'approve', reason: 'known customer' }, 'ops-alice');
    expect(approved.status).toBe(200);
    await waitForPayoutsToSettle(stack);
    const [paid] = await payoutsOf('large');
    expect(paid).toMatchObject({ state: 'succeeded', review: { state: 'approved', reason: 'known customer', decidedBy: 'ops-alice', decidedAt: expect.stringMatching(/^\d{4}-/) } });
    // Deciding it again the other way is refused and changes nothing.
    expect((await adminCall('POST', `/admin/payouts/${held.payoutId}/review`, { decision: 'reject', reason: 'changed my mind' })).status).toBe(409);
    expect((await earnings('large')).balances[0]).toMatchObject({ spendable: '0', withheld: { total: '0' } });
  }, 300_000);

  it('a rejection of a whole run releases the hold: the money is spendable again, and who rejected it and why is recorded', async () => {
    await wildfire('rejected', '90');
    await settled();
    const summary = await run();
    expect(summary.inReview).toBe(1);
    expect((await adminCall('POST', `/admin/payout-runs/${summary.runId}/review`, { decision: 'reject', reason: 'suspicious volume' }, 'ops-bob')).status).toBe(200);
    await waitForPayoutsToSettle(stack);
    const [rejected] = await payoutsOf('rejected');
    expect(rejected).toMatchObject({ state: 'failed', failureReason: 'rejected in review by ops-bob: suspicious volume', review: { state: 'rejected', decidedBy: 'ops-bob' } });
    await eventually(async () => (await earnings('rejected')).balances[0], (balance) => balance.spendable === '90' && balance.withheld.total === '0', 60_000);
    // Bad input changes nothing.
    expect((await adminCall('POST', `/admin/payout-runs/${summary.runId}/review`, { decision: 'maybe', reason: 'x' })).status).toBe(400);
    expect((await adminCall('POST', `/admin/payout-runs/${summary.runId}/review`, { decision: 'approve', reason: 'x' })).status).toBe(404);
  }, 300_000);

  it('changing a payout method holds the next run, shown with its end, until lifted; setting the first method does not', async () => {
    await wildfire('first', '20');
    await wildfire('changed', '25');
    expect((await setMethod('first', 'first@example.test')).securityHoldUntil).toBeNull();
    expect((await setMethod('changed', 'old@example.test')).securityHoldUntil).toBeNull();
    // The same method again is no change.
    expect((await setMethod('changed', 'old@example.test')).securityHoldUntil).toBeNull();
    const before = Date.now();
    const { securityHoldUntil } = await setMethod('changed', 'new@example.test');
    const holdMs = Date.parse(securityHoldUntil!) - before;
    expect(holdMs).toBeGreaterThan(71 * 3600_000);
    expect(holdMs).toBeLessThanOrEqual(72 * 3600_000 + 60_000);
    await settled();
    const summary = await run();
    expect(summary.skipped['security-hold']).toBe(1);
    expect((await payoutsOf('first')).map((payout) => [payout.amount, payout.state])).toEqual([['20', 'succeeded']]);
    expect(await payoutsOf('changed')).toEqual([]);
    const page = await earnings('changed');
    expect(page.securityHold).toEqual({ until: expect.any(String), methodChangedAt: expect.any(String), explanation: expect.stringContaining('payouts are held until') });
    expect(Date.parse(page.securityHold!.until)).toBe(Date.parse(securityHoldUntil!));
    expect(page.balances[0].spendable).toBe('25');

    const lifted = await adminCall('POST', `/admin/users/${encodeURIComponent(aui('changed'))}/security-hold/lift`, { reason: 'confirmed by phone' }, 'ops-carol');
    expect(lifted).toMatchObject({ status: 200, body: { liftedBy: 'ops-carol', reason: 'confirmed by phone' } });
    expect((await earnings('changed')).securityHold).toBeNull();
    expect((await adminCall('GET', `/admin/users/${encodeURIComponent(aui('changed'))}/security-hold`)).body).toMatchObject({
      holding: false, lifted: { by: 'ops-carol', at: expect.stringMatching(/^\d{4}-/), reason: 'confirmed by phone' },
    });
    await run();
    expect((await payoutsOf('changed')).map((payout) => [payout.amount, payout.state])).toEqual([['25', 'succeeded']]);
    expect((await adminCall('POST', `/admin/users/${encodeURIComponent(aui('changed'))}/security-hold/lift`, { reason: 'again' })).status).toBe(404);
  }, 300_000);

  it('a self-referral counts in lifetime, is held out of spendable as under review and counted, and is paid once cleared', async () => {
    const flaggedId = await firstPromoter('selfref', 3000, { is_self_referral: true });
    await wildfire('selfref', '15');
    await settled();
    await eventually(async () => (await adminCall('GET', '/admin/flagged-commissions?decision=held')).body.commissions as { commissionId: string }[],
      (listed) => listed.some((entry) => entry.commissionId === flaggedId), 60_000);
    const page = (await earnings('selfref')).balances[0];
    expect(page).toMatchObject({ lifetime: '45', spendable: '15' });
    expect(page.withheld.reasons).toEqual([expect.objectContaining({ reason: 'COMMISSION_UNDER_REVIEW', amount: '30', commissionId: flaggedId })]);
    const metrics = await (await fetch(stack.services.url('payout', '/metrics'))).text();
    expect(metrics).toMatch(/commissions_held_for_fraud_total\{signal="self-referral"\} [1-9]/);

    await run();
    expect((await payoutsOf('selfref')).map((payout) => [payout.amount, payout.state])).toEqual([['15', 'succeeded']]);

    const cleared = await adminCall('POST', `/admin/flagged-commissions/firstpromoter/${flaggedId}/review`, { decision: 'clear', reason: 'referred a real customer' }, 'ops-dan');
    expect(cleared).toMatchObject({ status: 200, body: { decision: 'cleared', decidedBy: 'ops-dan', isSelfReferral: true } });
    await eventually(async () => (await earnings('selfref')).balances[0].spendable, (spendable) => spendable === '30', 30_000);
    await run();
    expect((await payoutsOf('selfref')).map((payout) => [payout.amount, payout.state])).toEqual([['30', 'succeeded'], ['15', 'succeeded']]);
  }, 300_000);

  it('a commission whose fraud check is not no_suspicion is held, and a rejection keeps it out for good', async () => {
    const flaggedId = await firstPromoter('suspect', 2500, { fraud_check: 'same_ip_suspicion' });
    await settled();
    await eventually(async () => (await earnings('suspect')).balances[0]?.withheld.reasons ?? [],
      (reasons) => reasons.some((reason) => reason.reason === 'COMMISSION_UNDER_REVIEW' && reason.commissionId === flaggedId), 60_000);
    expect((await adminCall('POST', `/admin/flagged-commissions/firstpromoter/${flaggedId}/review`, { decision: 'reject', reason: 'same IP as the promoter' })).status).toBe(200);
    const page = (await earnings('suspect')).balances[0];
    expect(page).toMatchObject({ lifetime: '25', spendable: '0' });
    expect(page.withheld.reasons).toEqual([expect.objectContaining({ reason: 'COMMISSION_REJECTED', amount: '25' })]);
    const summary = await run();
    expect(await payoutsOf('suspect')).toEqual([]);
    expect(summary.skipped['balance-not-positive']).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('a flagged reward is not delivered on approval, and is delivered once cleared', async () => {
    const flaggedId = await firstPromoter('reward', 20, { fraud_check: 'suspicious_email' }, 'credits');
    await settled();
    await eventually(async () => (await adminCall('GET', '/admin/flagged-commissions?decision=held')).body.commissions as { commissionId: string }[],
      (listed) => listed.some((entry) => entry.commissionId === flaggedId), 60_000);
    expect(await payoutsOf('reward')).toEqual([]);
    expect((await adminCall('POST', `/admin/flagged-commissions/firstpromoter/${flaggedId}/review`, { decision: 'clear', reason: 'email verified' })).status).toBe(200);
    await waitForPayoutsToSettle(stack);
    expect((await payoutsOf('reward')).map((payout) => [payout.amount, payout.state])).toEqual([['20', 'succeeded']]);
    // Clearing it again changes nothing.
    expect((await adminCall('POST', `/admin/flagged-commissions/firstpromoter/${flaggedId}/review`, { decision: 'clear', reason: 'again' })).status).toBe(200);
    expect(await payoutsOf('reward')).toHaveLength(1);
  }, 300_000);
});
