import { randomInt } from 'node:crypto';
import { Topics } from '@earnings/contracts';
import { eventually, readWholeTopic, restartApp } from './test-stack';
import { admin, PayoutStack, sql, startPayoutStack } from './payout-scenario';
import { CommissionSpec, FirstPromoterDriver } from './firstpromoter-scenario';

/**
 * Issue 16, end to end through the endpoints: FirstPromoter webhooks (v2 and legacy) into
 * ingest, the ledger projector, the payout service delivering rewards, and the partner
 * simulator's FirstPromoter stand-in answering like the published API (promoters without
 * cust_id in API commissions, refused ids, slow batch processes). One test per finding.
 */

const webhookSecret = 'fp-rewards-webhook-secret';
const legacyToken = 'fp-rewards-legacy-token-0123456789';

describe('FirstPromoter rewards: delivered on approval, to the right person, marked exactly once, reversible, never stuck', () => {
  let stack: PayoutStack;
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;
  // Commission ids are this run's own: the commission topic is shared by every suite on the broker.
  const idBase = randomInt(10_000_000, 90_000_000);
  const id = (offset: number) => idBase + offset;
  let fp: FirstPromoterDriver;

  const ingestEnv = (withApi: boolean) => ({
    ...stack.env,
    WILDFIRE_CALLBACK_KEYS: 'unused-in-this-suite',
    FIRSTPROMOTER_WEBHOOK_SECRETS: webhookSecret,
    FIRSTPROMOTER_LEGACY_TOKEN: legacyToken,
    FIRSTPROMOTER_DELIVERED_UNITS: 'credits,points,free_months,discount_per',
    FIRSTPROMOTER_REWARDED_PARTY_BY_CAMPAIGN: '904:referral',
    FIRSTPROMOTER_REWARDED_PARTY_BY_REWARD: '63:promoter',
    FIRSTPROMOTER_API_KEY: withApi ? 'dev-firstpromoter-key' : '',
    FIRSTPROMOTER_ACCOUNT_ID: 'dev-account',
    FIRSTPROMOTER_RECONCILE_ON_START: 'true',
  });

  beforeAll(async () => {
    // Rewards are not in the thresholds: they go on approval, not with the cash run.
    stack = await startPayoutStack('fp-rewards', {
      // Consistent with ingest's FIRSTPROMOTER_DELIVERED_UNITS: fixed discounts are not delivered here.
      PAYOUT_THRESHOLDS: 'USD:10,EUR:10', PAYOUT_REWARD_FULFILLER: 'ledger_credit', PAYOUT_REWARD_FULFILLERS: 'mon_discount:none',
    });
    await restartApp(stack.services, 'ingest', ingestEnv(false));
    fp = new FirstPromoterDriver(stack, { webhookSecret, legacyToken, runLabel: `fp-rewards-${idBase}` });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const simulator = (path: string, body?: unknown) => fp.simulator(path, body);
  const actions = () => fp.actions();
  const register = (spec: CommissionSpec) => fp.register(spec);
  const webhook = async (spec: CommissionSpec, changes: Record<string, unknown>, eventType?: string) => {
    const { status, body } = await fp.webhook(spec, changes, eventType);
    return { status, body };
  };
  const approve = (spec: Omit<CommissionSpec, 'status' | 'statusUpdatedAt'>, approvedAt?: string) => fp.approve(spec, approvedAt);
  const legacy = (spec: Parameters<FirstPromoterDriver['legacy']>[0]) => fp.legacy(spec);
  const payoutsOf = (name: string) => fp.payoutsOf(name);
  const deliveredOf = (name: string, accept: Parameters<FirstPromoterDriver['deliveredOf']>[1]) => fp.deliveredOf(name, accept);
  const figures = (name: string, unit: string) => fp.figures(name, unit);
  const fulfilments = () => fp.fulfilments();

  it('1. legacy fulfilment_pending with webhooks v2 configured: 202 pending (v2 is the record), nothing booked; other types acknowledged', async () => {
    const known = await legacy({ fulfilmentId: id(1), custId: aui('legacy'), unit: 'credits', amount: '20', campaignId: 901 });
    expect(known).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending', reason: 'counted-by-v2' }) });
    // FirstPromoter retries with the same event: the same answer.
    expect((await legacy({ fulfilmentId: id(1), custId: aui('legacy'), unit: 'credits', amount: '20', campaignId: 901 })).status).toBe(202);
    expect(await legacy({ fulfilmentId: id(2), custId: null, unit: 'credits', amount: '20', campaignId: 901 })).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending', reason: 'counted-by-v2' }) });
    expect(await legacy({ fulfilmentId: id(4), custId: aui('legacy'), unit: 'credits', amount: '20', campaignId: 901, type: 'promoter_accepted' }))
      .toEqual({ status: 202, body: expect.objectContaining({ status: 'ignored', reason: 'not-fulfilment-pending' }) });
    await approve({ id: id(5), unit: 'points', amount: 2, promoterId: 9105, custId: aui('legacy'), campaignId: 901 });
    await deliveredOf('legacy', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    expect(await figures('legacy', 'credits')).toBeUndefined();
    expect((await payoutsOf('legacy')).map((payout) => payout.unit)).toEqual(['points']);
  }, 120_000);

  it('2. an approved reward is delivered within seconds without a payout run, in any unit; percentage discounts are separate grants', async () => {
    const points = await approve({ id: id(10), unit: 'points', amount: 40, promoterId: 9100, custId: aui('points'), campaignId: 902 });
    const delivered = await deliveredOf('points', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    expect(delivered.map((payout) => [payout.unit, payout.amount, payout.method, payout.state, payout.coveredCommissions])).toEqual([
      ['points', '40', 'ledger_credit', 'succeeded', [{ source: 'firstpromoter', commissionId: String(points.id), amount: '40' }]],
    ]);
    await approve({ id: id(11), unit: 'discount_per', amount: 10, promoterId: 9101, custId: aui('discount'), campaignId: 902 });
    await approve({ id: id(12), unit: 'discount_per', amount: 15, promoterId: 9101, custId: aui('discount'), campaignId: 902 });
    const grants = await deliveredOf('discount', (payouts) => payouts.filter((payout) => payout.state === 'succeeded').length === 2);
    expect(grants.map((payout) => payout.amount).sort()).toEqual(['10', '15']);
    const marks = await eventually(actions, (counts) => (counts.mark_fulfilled ?? {})[String(points.id)] !== undefined, 30_000);
    expect(marks.mark_fulfilled[String(points.id)]).toBe(1);
  }, 120_000);

  it('3. one refused id never blocks the others; a slow batch is followed to its end, not re-posted; legacy rewards are never queued', async () => {
    // Every call runs as a batch process that needs 10 polls: more than the 8 after which the old client re-posted it.
    await simulator('/_admin/firstpromoter/api-behaviour', { refusedIds: [id(22)], batchPollsBeforeDone: 10, synchronousIdsMax: 0 });
    await Promise.all([20, 21, 22, 23].map((offset) => approve({ id: id(offset), unit: 'points', amount: 5, promoterId: 9200, custId: aui('marks'), campaignId: 902 })));
    await deliveredOf('marks', (payouts) => payouts.filter((payout) => payout.state === 'succeeded').length === 4);
    const settled = await eventually(fulfilments, (rows) => [20, 21, 23].every((offset) => rows.find((row) => row.commissionId === String(id(offset)))?.state === 'marked'), 90_000);
    const refused = settled.find((row) => row.commissionId === String(id(22)));
    // Refused once, it is retried alone on its own backoff (and may be in its own batch process by now).
    expect(refused).toEqual(expect.objectContaining({ state: expect.stringMatching(/^(retrying|in-batch)$/), attempts: expect.any(Number), lastError: expect.stringContaining('cannot be changed') }));
    expect(refused!.attempts).toBeGreaterThanOrEqual(1);
    expect(settled.some((row) => row.commissionId.startsWith('fulfilment:'))).toBe(false);
    const counts = (await actions()).mark_fulfilled;
    expect([20, 21, 22, 23].map((offset) => counts[String(id(offset))])).toEqual([1, 1, undefined, 1]);
    const batches = (await (await fetch(stack.simulator.url('partner-simulator', '/_admin/firstpromoter/batches'))).json()) as { ids: number[]; polls: number }[];
    const ours = batches.filter((batch) => batch.ids.some((batchId) => [20, 21, 23].map(id).includes(batchId)));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((batch) => batch.polls > 8)).toBe(true);
    const metrics = await (await fetch(stack.services.url('payout', '/metrics'))).text();
    expect(metrics).toMatch(/firstpromoter_mark_failures_total\{[^}]*\} [1-9]/);
    await simulator('/_admin/firstpromoter/api-behaviour', { refusedIds: [], batchPollsBeforeDone: 1, synchronousIdsMax: 5 });
  }, 180_000);

  it('4. a reversal reaches the ledger (available again, PayoutReturned), FirstPromoter hears mark_unfulfilled once, and the next approval delivers again', async () => {
    const points = { id: id(10), unit: 'points', amount: 40, promoterId: 9100, custId: aui('points'), campaignId: 902 };
    const [delivered] = await payoutsOf('points');
    await eventually(actions, (counts) => (counts.mark_fulfilled ?? {})[String(points.id)] === 1, 30_000);
    const reverse = () => admin(stack, 'POST', `/admin/payouts/${delivered.payoutId}/reversal`);
    expect((await reverse()).body).toEqual(expect.objectContaining({ reversedCommissionIds: [String(points.id)] }));
    expect((await reverse()).body).toEqual(expect.objectContaining({ reversedCommissionIds: [] }));
    const back = await eventually(() => figures('points', 'points'), (value) => value?.paidOut.isZero() === true, 30_000);
    expect(back?.available.toFixed()).toBe('40');
    const returned = (await readWholeTopic(Topics.payoutLifecycle)).map((message) => JSON.parse(message.value)).filter((event) => event.payoutId === delivered.payoutId && event.type === 'PayoutReturned');
    expect(returned).toHaveLength(1);
    await eventually(actions, (counts) => (counts.mark_unfulfilled ?? {})[String(points.id)] === 1, 30_000);
    // FirstPromoter approves it again later: delivered again, once.
    expect((await webhook({ ...points, status: 'approved', statusUpdatedAt: '2026-10-20T10:00:00.000Z' }, { status: ['pending', 'approved'] })).status).toBe(200);
    const again = await deliveredOf('points', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    expect(again.map((payout) => [payout.amount, payout.state]).sort()).toEqual([['40', 'returned'], ['40', 'succeeded']]);
    expect((await eventually(() => figures('points', 'points'), (value) => value?.paidOut.toFixed() === '40', 30_000))?.available.toFixed()).toBe('0');
  }, 120_000);

  it('6. the rewarded party is decided per reward from the payload, with per-reward configuration where it cannot say', async () => {
    // Campaign 904 is configured "referral"; its promoter reward says so in its name, reward 63 by configuration.
    const base = { unit: 'points', promoterId: 9600, custId: aui('promoter6'), referralUid: aui('friend6'), campaignId: 904 };
    expect((await webhook({ ...base, id: id(60), amount: 7, status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z', reward: { id: 61, name: 'Friend bonus' } }, {}, 'commission.created')).status).toBe(200);
    expect((await webhook({ ...base, id: id(61), amount: 11, status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z', reward: { id: 62, name: 'Promoter reward: 11 points' } }, {}, 'commission.created')).status).toBe(200);
    expect((await webhook({ ...base, id: id(62), amount: 13, status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z', reward: { id: 63, name: 'Bonus' } }, {}, 'commission.created')).status).toBe(200);
    const pendingOf = (name: string, expected: string) => eventually(() => ledgerPending(name), (value) => value === expected, 30_000);
    expect(await pendingOf('friend6', '7')).toBe('7');
    expect(await pendingOf('promoter6', '24')).toBe('24');
  }, 120_000);

  async function ledgerPending(name: string): Promise<string | null> {
    const schema = (await sql(stack, `SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`))[0].schema_name;
    const rows = await sql(stack, `SELECT pending::text FROM ${schema}.balance WHERE aui = $1 AND unit = 'points'`, [aui(name)]);
    return rows[0]?.pending ?? null;
  }

  it('7. an amount change with the same status is applied, an attribution change is not (the owner is kept); a cash amount that is not whole cents is refused', async () => {
    const spec = await approve({ id: id(70), unit: 'points', amount: 30, promoterId: 9700, custId: aui('amount'), campaignId: 902 });
    await deliveredOf('amount', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    expect((await webhook({ ...spec, amount: 45 }, { amount: [30, 45] })).status).toBe(200);
    const changed = await eventually(() => figures('amount', 'points'), (value) => value?.payable.toFixed() === '45', 30_000);
    expect(changed?.payable.toFixed()).toBe('45');
    // The 15 more are delivered too: 45 in all, once.
    const delivered = await deliveredOf('amount', (payouts) => payouts.filter((payout) => payout.state === 'succeeded').length === 2);
    expect(delivered.map((payout) => payout.amount).sort()).toEqual(['15', '30']);

    const pending: CommissionSpec = { id: id(71), status: 'pending', unit: 'points', amount: 9, promoterId: 9701, custId: aui('attr-old'), campaignId: 902, statusUpdatedAt: '2026-10-02T09:15:05.120Z' };
    expect((await webhook(pending, {}, 'commission.created')).status).toBe(200);
    await eventually(() => ledgerPending('attr-old'), (value) => value === '9', 30_000);
    // The same version under another promoter: the commission keeps its first owner (an operator moves it on purpose).
    expect(await webhook({ ...pending, custId: aui('attr-new') }, { promoter_campaign_id: [500, 501] })).toEqual({ status: 200, body: expect.objectContaining({ status: 'duplicate' }) });
    expect((await webhook({ ...pending, custId: aui('attr-new'), amount: 10 }, { amount: [9, 10] })).status).toBe(200);
    expect(await eventually(() => ledgerPending('attr-old'), (value) => value === '10', 30_000)).toBe('10');
    expect(await ledgerPending('attr-new')).toBeNull();

    const cash = await webhook({ id: id(72), status: 'pending', unit: 'cash', amount: '14.70', promoterId: 9702, custId: aui('cash'), campaignId: 902, statusUpdatedAt: '2026-10-02T09:15:05.120Z' }, {}, 'commission.created');
    expect(cash).toEqual({ status: 400, body: { error: { code: 'invalid-field', field: 'data.amount', message: expect.stringContaining('whole number of cents') } } });
  }, 120_000);

  it('8. a reward FirstPromoter reports by the legacy webhook and by webhooks v2 counts once', async () => {
    await approve({ id: id(80), unit: 'credits', amount: 25, promoterId: 9800, custId: aui('both'), campaignId: 903 });
    await deliveredOf('both', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    const answer = await legacy({ fulfilmentId: id(81), custId: aui('both'), unit: 'credits', amount: '25', campaignId: 903 });
    expect(answer).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending', reason: 'counted-by-v2' }) });
    expect((await figures('both', 'credits'))?.payable.toFixed()).toBe('25');
    expect((await payoutsOf('both')).map((payout) => payout.amount)).toEqual(['25']);
  }, 120_000);

  it('5. the reconciliation pull keeps rewards with their user: promoter ids resolved from webhooks, else from the Promoters API', async () => {
    // Promoter 9501 is known from a webhook; 9502 only from the Promoters API. Both approvals reach us only by the pull.
    const seen: CommissionSpec = { id: id(50), status: 'pending', unit: 'points', amount: 3, promoterId: 9501, custId: aui('pull-known'), campaignId: 902, statusUpdatedAt: '2026-10-02T09:15:05.120Z' };
    expect((await webhook(seen, {}, 'commission.created')).status).toBe(200);
    await eventually(() => ledgerPending('pull-known'), (value) => value === '3', 30_000);
    await register({ ...seen, status: 'approved', statusUpdatedAt: '2026-10-09T10:00:00.000Z' });
    await register({ ...seen, id: id(51), amount: 4, status: 'approved', statusUpdatedAt: '2026-10-09T10:00:00.000Z' });
    await simulator('/_admin/firstpromoter/commissions', { promoter: { id: 9502, email: 'p9502@example.test', name: 'Promoter 9502', cust_id: aui('pull-fetched') } });
    await register({ ...seen, id: id(52), amount: 6, promoterId: 9502, custId: null, status: 'approved', statusUpdatedAt: '2026-10-09T10:00:00.000Z' });
    await stack.services.services.get('ingest')?.stop();
    await restartApp(stack.services, 'ingest', ingestEnv(true));
    const known = await eventually(() => figures('pull-known', 'points'), (value) => value?.payable.toFixed() === '7', 60_000);
    expect(known?.payable.toFixed()).toBe('7');
    expect((await eventually(() => figures('pull-fetched', 'points'), (value) => value?.payable.toFixed() === '6', 60_000))?.payable.toFixed()).toBe('6');
  }, 180_000);
});
