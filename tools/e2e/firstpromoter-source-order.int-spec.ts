import { randomInt } from 'node:crypto';
import { Topics } from '@earnings/contracts';
import { admin, PayoutStack, startPayoutStack, waitForView } from './payout-scenario';
import { CommissionSpec, FirstPromoterDriver, runIngestCommand, waitForGroupToCatchUp, waitForPayoutViewToCatchUp } from './firstpromoter-scenario';
import { eventually, readWholeTopic, restartApp, waitForProjectorToCatchUp } from './test-stack';

/**
 * Issue 23, end to end through the endpoints, one test per finding: FirstPromoter's own times
 * order its versions (late retries change nothing), one reward is delivered once whichever channel
 * speaks first, a commission keeps its owner, approvals follow the configured mode against the
 * stand-in's asynchronous batches, a refused delivery is retried until delivered, a run's reward
 * payout marks exactly what it paid, a redelivery after a reversal is marked again, and v2
 * payloads reach raw-inbound without their secrets.
 */

const webhookSecret = 'fp-order-webhook-secret';
/** The stand-in announces its own approvals with its development secret: ingest accepts both (rotation). */
const standInWebhookSecret = 'dev-firstpromoter-webhook-secret';
const legacyToken = 'fp-order-legacy-token-0123456789';
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe('FirstPromoter: the source\'s own times decide, each reward is delivered once, its owner never moves by accident', () => {
  let stack: PayoutStack;
  let fp: FirstPromoterDriver;
  let payoutEnv: Record<string, string>;
  const idBase = randomInt(10_000_000, 90_000_000);
  const id = (offset: number) => idBase + offset;
  const aui = (name: string) => fp.aui(name);

  const ingestEnv = (channels: { v2: boolean; api: boolean }) => ({
    ...stack.env,
    WILDFIRE_CALLBACK_KEYS: 'unused-in-this-suite',
    FIRSTPROMOTER_WEBHOOK_SECRETS: channels.v2 ? `${webhookSecret},${standInWebhookSecret}` : '',
    FIRSTPROMOTER_LEGACY_TOKEN: legacyToken,
    FIRSTPROMOTER_DELIVERED_UNITS: 'credits,points,free_months',
    FIRSTPROMOTER_API_KEY: channels.api ? 'dev-firstpromoter-key' : '',
    FIRSTPROMOTER_ACCOUNT_ID: 'dev-account',
    FIRSTPROMOTER_RECONCILE_ON_START: 'true',
  });

  async function restart(app: 'ingest' | 'payout', env: Record<string, string>): Promise<void> {
    await stack.services.services.get(app)?.stop();
    await restartApp(stack.services, app, env);
  }

  beforeAll(async () => {
    // Points and free months are delivered on approval (free months by the partner's endpoint); credits by the run at 100.
    stack = await startPayoutStack('fp-order', { PAYOUT_THRESHOLDS: 'USD:10,EUR:10,credits:100', PAYOUT_REWARD_FULFILLER: 'ledger_credit' });
    payoutEnv = {
      ...stack.env, PAYOUT_REWARD_FULFILLERS: 'free_months:http_webhook',
      PAYOUT_REWARD_WEBHOOK_URL: stack.simulator.url('partner-simulator', '/partner/rewards'), PAYOUT_REWARD_WEBHOOK_SECRET: 'dev-reward-webhook-secret',
    };
    await restart('payout', payoutEnv);
    await restartApp(stack.services, 'ingest', ingestEnv({ v2: true, api: false }));
    fp = new FirstPromoterDriver(stack, { webhookSecret, legacyToken, runLabel: `fp-order-${idBase}` });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /**
   * One commission's five event types as FirstPromoter sends them: created pending 40; updated
   * (amount 45, same status, so the same status_updated_at); approved; denied; deleted.
   */
  function history(commissionId: number, name: string, unit: string, amounts: [number, number]) {
    const base = { id: commissionId, unit, promoterId: 9400, custId: aui(name), campaignId: 906 };
    const created = '2026-10-02T09:15:05.120Z';
    return {
      created: { spec: { ...base, status: 'pending', amount: amounts[0], statusUpdatedAt: created } as CommissionSpec, changes: {}, type: 'commission.created', timestamp: '2026-10-02T09:15:05.320Z' },
      updated: { spec: { ...base, status: 'pending', amount: amounts[1], statusUpdatedAt: created } as CommissionSpec, changes: { amount: amounts }, type: 'commission.updated', timestamp: '2026-10-03T08:00:00.000Z' },
      approved: { spec: { ...base, status: 'approved', amount: amounts[1], statusUpdatedAt: '2026-10-09T10:00:00.000Z' } as CommissionSpec, changes: { status: ['pending', 'approved'] }, type: 'commission.approved', timestamp: '2026-10-09T10:00:00.200Z' },
      denied: { spec: { ...base, status: 'denied', amount: amounts[1], statusUpdatedAt: '2026-10-12T10:00:00.000Z' } as CommissionSpec, changes: { status: ['approved', 'denied'] }, type: 'commission.denied', timestamp: '2026-10-12T10:00:00.200Z' },
      deleted: { spec: { ...base, status: 'denied', amount: amounts[1], statusUpdatedAt: '2026-10-12T10:00:00.000Z' } as CommissionSpec, changes: {}, type: 'commission.deleted', timestamp: '2026-10-15T08:00:00.000Z' },
    };
  }

  it('1. late retries of each event type, in both orders, end in the state of the newest source time; a deleted commission is never paid', async () => {
    type Step = keyof ReturnType<typeof history>;
    const pairs: { older: Step; newer: Step; unit: string; expect: { state: string; sourceStatus: string } }[] = [
      { older: 'created', newer: 'approved', unit: 'points', expect: { state: 'PAYABLE', sourceStatus: 'approved' } },
      { older: 'updated', newer: 'approved', unit: 'points', expect: { state: 'PAYABLE', sourceStatus: 'approved' } },
      { older: 'approved', newer: 'denied', unit: 'points', expect: { state: 'REJECTED', sourceStatus: 'denied' } },
      { older: 'denied', newer: 'deleted', unit: 'points', expect: { state: 'REJECTED', sourceStatus: 'deleted' } },
      { older: 'approved', newer: 'deleted', unit: 'cash', expect: { state: 'REJECTED', sourceStatus: 'deleted' } },
    ];
    const late: { commissionId: number; answer: Record<string, unknown> }[] = [];
    for (const [index, pair] of pairs.entries()) {
      for (const order of ['in-order', 'late'] as const) {
        const commissionId = id(100 + index * 2 + (order === 'late' ? 1 : 0));
        const events = history(commissionId, `late-${index}-${order}`, pair.unit, pair.unit === 'cash' ? [4000, 4500] : [40, 45]);
        await fp.register({ ...events[pair.newer].spec });
        const sequence = order === 'in-order' ? [pair.older, pair.newer] : [pair.newer, pair.older];
        for (const step of sequence) {
          const event = events[step];
          const answer = await fp.webhook(event.spec, event.changes, event.type, { timestamp: event.timestamp });
          expect(answer.status).toBe(200);
          if (order === 'late' && step === pair.older) late.push({ commissionId, answer: answer.body });
        }
      }
    }
    // Each late retry is a counted duplicate: older than the version ingest already holds.
    expect(late.map((entry) => entry.answer)).toEqual(late.map(() => expect.objectContaining({ status: 'duplicate', reason: 'older-version' })));
    for (const [index, pair] of pairs.entries()) {
      for (const offset of [0, 1]) {
        const held = await eventually(() => fp.ledgerCommission(id(100 + index * 2 + offset)), (row) => row?.source_status === pair.expect.sourceStatus, 30_000);
        expect({ state: held?.state, sourceStatus: held?.source_status }).toEqual({ state: pair.expect.state, sourceStatus: pair.expect.sourceStatus });
      }
    }
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
    await waitForGroupToCatchUp(`${stack.env.PAYOUT_CONSUMER_GROUP}-rewards`, Topics.commissionObserved);
    // An approval that arrives after the denial delivers nothing; one that came first was delivered (the denial then shows as a clawback).
    expect(await fp.payoutsOf('late-2-late')).toEqual([]);
    expect((await fp.payoutsOf('late-2-in-order')).map((payout) => payout.amount)).toEqual(['45']);
    expect((await fp.figures('late-0-late', 'points'))?.payable.toFixed()).toBe('45');
    expect((await fp.figures('late-1-late', 'points'))?.payable.toFixed()).toBe('45');
    // A deleted cash commission is paid by no run, whichever event came last.
    for (const name of ['late-4-in-order', 'late-4-late']) expect((await fp.figures(name, 'USD'))?.payable.toFixed() ?? '0').toBe('0');
    await waitForPayoutViewToCatchUp(stack);
    await admin(stack, 'POST', '/admin/payout-runs');
    expect([...(await fp.payoutsOf('late-4-in-order')), ...(await fp.payoutsOf('late-4-late'))]).toEqual([]);
  }, 180_000);

  it('2. one reward, two channels: with v2 the legacy webhook books nothing, legacy then v2 and v2 then legacy; without v2 it books and answers 200', async () => {
    const legacyFirst = await fp.legacy({ fulfilmentId: id(200), custId: aui('legacy-first'), unit: 'points', amount: '20', campaignId: 907 });
    expect(legacyFirst).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending', reason: 'counted-by-v2' }) });
    await fp.approve({ id: id(201), unit: 'points', amount: 20, promoterId: 9410, custId: aui('legacy-first'), campaignId: 907 });
    await fp.approve({ id: id(202), unit: 'points', amount: 20, promoterId: 9411, custId: aui('v2-first'), campaignId: 907 });
    await fp.deliveredOf('v2-first', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    const v2First = await fp.legacy({ fulfilmentId: id(203), custId: aui('v2-first'), unit: 'points', amount: '20', campaignId: 907 });
    expect(v2First).toEqual({ status: 202, body: expect.objectContaining({ status: 'pending', reason: 'counted-by-v2' }) });
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
    await waitForGroupToCatchUp(`${stack.env.PAYOUT_CONSUMER_GROUP}-rewards`, Topics.commissionObserved);
    for (const name of ['legacy-first', 'v2-first']) {
      expect((await fp.figures(name, 'points'))?.payable.toFixed()).toBe('20');
      expect((await fp.deliveredOf(name, (payouts) => payouts.some((payout) => payout.state === 'succeeded'))).map((payout) => payout.amount)).toEqual(['20']);
    }

    // A deployment that records FirstPromoter by the legacy webhook alone books it, and answers 200 once recorded.
    await restart('ingest', ingestEnv({ v2: false, api: false }));
    const only = { fulfilmentId: id(204), custId: aui('legacy-only'), unit: 'points', amount: '20', campaignId: 907 };
    expect(await fp.legacy(only)).toEqual({ status: 200, body: expect.objectContaining({ status: 'recorded' }) });
    expect((await fp.legacy(only)).status).toBe(200);
    const delivered = await fp.deliveredOf('legacy-only', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    expect(delivered.map((payout) => payout.amount)).toEqual(['20']);
    await restart('ingest', ingestEnv({ v2: true, api: false }));
  }, 180_000);

  it('3. a renamed reward and a changed cust_id move nothing, a reconciliation pull neither; an operator\'s move does, and shows the clawback', async () => {
    const renamed = { id: id(300), unit: 'points', amount: 7, promoterId: 9420, custId: aui('owner-promoter'), referralUid: aui('owner-friend'), campaignId: 908 };
    expect((await fp.webhook({ ...renamed, status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z', reward: { id: 71, name: 'Cash bonus' } }, {}, 'commission.created')).status).toBe(200);
    const renamedApproved: CommissionSpec = { ...renamed, status: 'approved', statusUpdatedAt: '2026-10-09T10:00:00.000Z', reward: { id: 71, name: 'Friend cash bonus' } };
    expect((await fp.webhook(renamedApproved, { status: ['pending', 'approved'] })).status).toBe(200);
    const moved = { id: id(301), unit: 'points', amount: 9, promoterId: 9421, custId: aui('cust-old'), campaignId: 908, reward: { id: 72, name: 'Bonus' } };
    expect((await fp.webhook({ ...moved, status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z' }, {}, 'commission.created')).status).toBe(200);
    const movedApproved: CommissionSpec = { ...moved, custId: aui('cust-new'), status: 'approved', statusUpdatedAt: '2026-10-09T10:00:00.000Z' };
    expect((await fp.webhook(movedApproved, { status: ['pending', 'approved'] })).status).toBe(200);
    await fp.deliveredOf('owner-promoter', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));
    await fp.deliveredOf('cust-old', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));

    // FirstPromoter's API says the same today: the renamed reward, the promoter under its new cust_id.
    await fp.register(renamedApproved);
    await fp.register(movedApproved);
    await fp.simulator('/_admin/firstpromoter/commissions', { promoter: { id: 9421, email: 'p9421@example.test', name: 'Promoter 9421', cust_id: aui('cust-new') } });
    await restart('ingest', ingestEnv({ v2: true, api: true }));
    await eventually(async () => (await (await fetch(stack.services.url('ingest', '/metrics'))).text()), (text) => /firstpromoter_reconciliation_runs_total\{outcome="succeeded"\} [1-9]/.test(text), 60_000);
    await waitForProjectorToCatchUp(stack.database.url, stack.projectorGroup);
    await waitForGroupToCatchUp(`${stack.env.PAYOUT_CONSUMER_GROUP}-rewards`, Topics.commissionObserved);
    expect((await fp.ledgerCommission(id(300)))?.aui).toBe(aui('owner-promoter'));
    expect((await fp.ledgerCommission(id(301)))?.aui).toBe(aui('cust-old'));
    expect(await fp.payoutsOf('owner-friend')).toEqual([]);
    expect(await fp.payoutsOf('cust-new')).toEqual([]);
    expect((await fp.payoutsOf('owner-promoter')).map((payout) => payout.amount)).toEqual(['7']);

    const env = ingestEnv({ v2: true, api: true });
    const listed = await runIngestCommand('firstpromoter-move-commission', env, ['--list']);
    expect(listed.disagreements).toEqual(expect.arrayContaining([
      expect.objectContaining({ commissionId: String(id(300)), aui: aui('owner-promoter'), sourceNamesAui: aui('owner-friend') }),
      expect.objectContaining({ commissionId: String(id(301)), aui: aui('cust-old'), sourceNamesAui: aui('cust-new') }),
    ]));
    const move = await runIngestCommand('firstpromoter-move-commission', env, ['--commission', String(id(301)), '--to', aui('cust-new'), '--reason', 'the referrer changed accounts']);
    expect(move).toMatchObject({ moved: true, from: aui('cust-old'), to: aui('cust-new') });
    expect((await eventually(() => fp.ledgerCommission(id(301)), (row) => row?.aui === aui('cust-new'), 30_000))?.aui).toBe(aui('cust-new'));
    // The new owner is delivered the reward; what the first one got shows as their clawback.
    expect((await fp.deliveredOf('cust-new', (payouts) => payouts.some((payout) => payout.state === 'succeeded'))).map((payout) => payout.amount)).toEqual(['9']);
    const first = await eventually(() => fp.figures('cust-old', 'points'), (figures) => figures?.available.toFixed() === '-9', 30_000);
    expect({ payable: first?.payable.toFixed(), paidOut: first?.paidOut.toFixed() }).toEqual({ payable: '0', paidOut: '9' });
  }, 240_000);

  it('5. a partner endpoint that refuses twice is retried until it accepts, granted once and marked once; an operator can give one up', async () => {
    await fp.simulator('/_admin/partner-rewards/behaviour', { refuseNext: 2, status: 422 });
    const granted = await fp.approve({ id: id(500), unit: 'free_months', amount: 1, promoterId: 9430, custId: aui('partner'), campaignId: 909 });
    const [delivered] = await fp.deliveredOf('partner', (payouts) => payouts.some((payout) => payout.state === 'succeeded'), 60_000);
    expect(delivered).toMatchObject({ method: 'http_webhook', amount: '1', coveredCommissions: [{ source: 'firstpromoter', commissionId: String(granted.id) }] });
    const partner = (await fp.simulator('/_admin/partner-rewards')) as { granted: { payoutId: string; attempts: number }[]; refusals: number };
    expect(partner.refusals).toBe(2);
    expect(partner.granted.filter((entry) => entry.payoutId === delivered.payoutId)).toEqual([expect.objectContaining({ attempts: 1 })]);
    expect((await eventually(() => fp.actions(), (counts) => (counts.mark_fulfilled ?? {})[String(granted.id)] === 1, 30_000)).mark_fulfilled[String(granted.id)]).toBe(1);

    await fp.simulator('/_admin/partner-rewards/behaviour', { refuseNext: 1_000 });
    await fp.approve({ id: id(501), unit: 'free_months', amount: 1, promoterId: 9431, custId: aui('partner-refuses'), campaignId: 909 });
    const [stuck] = await fp.deliveredOf('partner-refuses', (payouts) => payouts.length === 1);
    await eventually(async () => ((await fp.simulator('/_admin/partner-rewards')) as { refusals: number }).refusals, (refusals) => refusals >= partner.refusals + 2, 30_000);
    expect((await fp.payoutsOf('partner-refuses'))[0].state).toMatch(/^(requested|submitted)$/);
    const givenUp = await admin(stack, 'POST', `/admin/payouts/${stuck.payoutId}/give-up`, { reason: 'the user closed the account' });
    expect(givenUp).toEqual({ status: 200, body: { payoutId: stuck.payoutId, state: 'failed', failureReason: 'given up by an operator: the user closed the account' } });
    expect((await admin(stack, 'POST', `/admin/payouts/${stuck.payoutId}/give-up`, { reason: 'again' })).body).toEqual({ error: expect.objectContaining({ code: 'not-in-flight' }) });
    const released = await eventually(() => fp.figures('partner-refuses', 'free_months'), (figures) => figures?.available.toFixed() === '1', 30_000);
    expect(released?.paidOut.toFixed()).toBe('0');
    expect((await fp.actions()).mark_fulfilled?.[String(id(501))]).toBeUndefined();
    await fp.simulator('/_admin/partner-rewards/behaviour', { refuseNext: 0 });
  }, 180_000);

  const runPayouts = async () => (await admin(stack, 'POST', '/admin/payout-runs')).body;
  const creditsPayouts = async () => (await fp.payoutsOf('run')).filter((payout) => payout.unit === 'credits');

  it('6. a run\'s reward payout covers, and FirstPromoter hears fulfilled, exactly the commissions it paid', async () => {
    await fp.approve({ id: id(600), unit: 'credits', amount: 60, promoterId: 9440, custId: aui('run'), campaignId: 910 });
    await fp.approve({ id: id(601), unit: 'credits', amount: 50, promoterId: 9440, custId: aui('run'), campaignId: 910 });
    await waitForView(stack, new Map([[JSON.stringify([aui('run'), 'credits']), '110']]));
    await runPayouts();
    const [first] = await eventually(creditsPayouts, (payouts) => payouts.length === 1 && payouts[0].state === 'succeeded', 30_000);
    expect({ amount: first.amount, covered: first.coveredCommissions.map((covered) => covered.commissionId).sort() }).toEqual({ amount: '110', covered: [String(id(600)), String(id(601))] });

    await fp.approve({ id: id(602), unit: 'credits', amount: 120, promoterId: 9440, custId: aui('run'), campaignId: 910 });
    await waitForView(stack, new Map([[JSON.stringify([aui('run'), 'credits']), '120']]));
    await runPayouts();
    const payouts = await eventually(creditsPayouts, (all) => all.length === 2 && all.every((payout) => payout.state === 'succeeded'), 30_000);
    const second = payouts.find((payout) => payout.payoutId !== first.payoutId)!;
    expect({ amount: second.amount, covered: second.coveredCommissions.map((covered) => covered.commissionId) }).toEqual({ amount: '120', covered: [String(id(602))] });
    const marks = await eventually(() => fp.actions(), (counts) => [600, 601, 602].every((offset) => (counts.mark_fulfilled ?? {})[String(id(offset))] !== undefined), 30_000);
    expect([600, 601, 602].map((offset) => marks.mark_fulfilled[String(id(offset))])).toEqual([1, 1, 1]);
  }, 180_000);

  it('7. a redelivery made while FirstPromoter is still being told of the reversal ends marked fulfilled there', async () => {
    const [second] = (await creditsPayouts()).filter((payout) => payout.coveredCommissions.some((covered) => covered.commissionId === String(id(602))));
    await eventually(() => fp.fulfilments(), (rows) => rows.find((row) => row.commissionId === String(id(602)))?.state === 'marked', 30_000);
    // The reversal's mark_unfulfilled runs as a slow batch process: the redelivery lands while it is still running.
    await fp.simulator('/_admin/firstpromoter/api-behaviour', { synchronousIdsMax: 0, batchPollsBeforeDone: 10 });
    expect((await admin(stack, 'POST', `/admin/payouts/${second.payoutId}/reversal`)).body).toEqual(expect.objectContaining({ reversedCommissionIds: [String(id(602))] }));
    await eventually(
      async () => (await (await fetch(stack.simulator.url('partner-simulator', '/_admin/firstpromoter/batches'))).json()) as { action: string; ids: number[]; polls: number }[],
      (batches) => batches.some((batch) => batch.action === 'mark_unfulfilled' && batch.ids.includes(id(602)) && batch.polls <= 10), 30_000,
    );
    await waitForView(stack, new Map([[JSON.stringify([aui('run'), 'credits']), '120']]));
    expect((await runPayouts()).requested).toBe(1);
    const again = await eventually(creditsPayouts, (payouts) => payouts.filter((payout) => payout.state === 'succeeded').length === 2 && payouts.length === 3, 30_000);
    // The unmark finishes after the redelivery: FirstPromoter is then told fulfilled again, and that is where it ends.
    const log = await eventually(
      async () => ((await (await fetch(stack.simulator.url('partner-simulator', '/_admin/firstpromoter/action-log'))).json()) as { action: string; id: number }[]).filter((entry) => entry.id === id(602)).map((entry) => entry.action),
      (actions) => actions.length === 3, 90_000,
    );
    expect(log).toEqual(['mark_fulfilled', 'mark_unfulfilled', 'mark_fulfilled']);
    expect(again.filter((payout) => payout.state === 'succeeded').map((payout) => payout.coveredCommissions.map((covered) => covered.commissionId)).sort()).toEqual([[String(id(600)), String(id(601))], [String(id(602))]].sort());
    const rows = await eventually(() => fp.fulfilments(), (all) => all.find((row) => row.commissionId === String(id(602)))?.state === 'marked', 30_000);
    expect(rows.find((row) => row.commissionId === String(id(602)))?.state).toBe('marked');
    await fp.simulator('/_admin/firstpromoter/api-behaviour', { synchronousIdsMax: 5, batchPollsBeforeDone: 1 });
  }, 180_000);

  it('8. a v2 webhook reaches raw-inbound without the promoter\'s auth_token, temp_password or emails', async () => {
    const secret = `auth-${idBase}-secret`;
    const answer = await fp.webhook(
      { id: id(800), status: 'pending', unit: 'points', amount: 3, promoterId: 9450, custId: aui('raw'), campaignId: 911, statusUpdatedAt: '2026-10-02T09:15:05.120Z', promoterExtra: { auth_token: secret, temp_password: `pw-${idBase}` } },
      {}, 'commission.created',
    );
    expect(answer.status).toBe(200);
    const eventId = answer.body.eventId as string;
    const copies = (await readWholeTopic(Topics.rawInbound)).map((message) => JSON.parse(message.value) as { deliveryId: string | null; body: string }).filter((copy) => copy.deliveryId === eventId);
    expect(copies).toHaveLength(1);
    expect(copies[0].body).toContain(String(id(800)));
    expect(copies[0].body).not.toContain(secret);
    expect(copies[0].body).not.toContain(`pw-${idBase}`);
    expect(copies[0].body).not.toContain('@example.test');
  }, 120_000);

  it('4. approvals: auto leaves it to FirstPromoter; after-days:30 and manual approve through the stand-in\'s asynchronous batches, followed to completion', async () => {
    await fp.simulator('/_admin/firstpromoter/api-behaviour', { synchronousIdsMax: 5, batchPollsBeforeDone: 2, refusedIds: [] });
    await fp.simulator('/_admin/firstpromoter/webhook-target', { url: stack.services.url('ingest', '/webhooks/firstpromoter') });
    const promoterOf: Record<string, number> = { auto: 9460, after: 9461, manual: 9462 };
    const pendingCommission = (offset: number, name: string, createdAt: string, change: Partial<CommissionSpec> = {}): CommissionSpec => ({
      id: id(offset), status: 'pending', unit: 'points', amount: 2, promoterId: promoterOf[name], custId: aui(name), campaignId: 912, createdAt, statusUpdatedAt: createdAt, ...change,
    });
    const announcePending = async (spec: CommissionSpec) => {
      await fp.register(spec);
      expect((await fp.webhook(spec, {}, 'commission.created')).status).toBe(200);
    };
    const approvalsOf = async () => ((await admin(stack, 'GET', '/admin/firstpromoter/approvals')).body.approvals ?? []) as { commissionId: string; state: string; requestedBy: string; lastError: string | null }[];

    // auto: this service approves nothing; FirstPromoter's own approval arrives as a webhook and is delivered.
    const auto = pendingCommission(400, 'auto', daysAgo(40));
    await announcePending(auto);
    expect((await admin(stack, 'POST', '/admin/firstpromoter/approval-runs')).body).toEqual({ mode: 'auto', listed: 0, queued: 0, skipped: {} });
    expect((await fp.actions()).approve?.[String(auto.id)]).toBeUndefined();
    expect((await fp.webhook({ ...auto, status: 'approved', statusUpdatedAt: daysAgo(1) }, { status: ['pending', 'approved'] })).status).toBe(200);
    await fp.deliveredOf('auto', (payouts) => payouts.some((payout) => payout.state === 'succeeded'));

    // after-days:30: seven pending commissions 40 days old are approved in one batch process; the recent, the flagged and the denied are not.
    const old = [401, 402, 403, 404, 405, 406, 407].map((offset) => pendingCommission(offset, 'after', daysAgo(40)));
    const recent = pendingCommission(408, 'after', daysAgo(10));
    const flagged = pendingCommission(409, 'after', daysAgo(40), { fraudCheck: 'same_ip_suspicion' });
    const denied = pendingCommission(410, 'after', daysAgo(40), { status: 'denied' });
    for (const spec of [...old, recent, flagged, denied]) await announcePending(spec);
    await restart('payout', { ...payoutEnv, FIRSTPROMOTER_APPROVAL: 'after-days:30' });
    expect((await admin(stack, 'POST', '/admin/firstpromoter/approval-runs')).body).toEqual(expect.objectContaining({ mode: 'after-days:30', skipped: expect.objectContaining({ 'too-recent': expect.any(Number), 'fraud-suspected': expect.any(Number) }) }));
    const oldIds = old.map((spec) => String(spec.id));
    const approved = await eventually(approvalsOf, (rows) => oldIds.every((oldId) => rows.find((row) => row.commissionId === oldId)?.state === 'approved'), 60_000);
    expect(approved.filter((row) => [recent, flagged, denied].some((spec) => String(spec.id) === row.commissionId))).toEqual([]);
    const counts = (await fp.actions()).approve ?? {};
    expect([...oldIds, String(recent.id), String(flagged.id), String(denied.id)].map((commissionId) => counts[commissionId])).toEqual([1, 1, 1, 1, 1, 1, 1, undefined, undefined, undefined]);
    const batches = (await (await fetch(stack.simulator.url('partner-simulator', '/_admin/firstpromoter/batches'))).json()) as { action: string; ids: number[]; polls: number }[];
    expect(batches.filter((batch) => batch.action === 'approve' && batch.ids.includes(old[0].id)).every((batch) => batch.polls > 2)).toBe(true);
    // FirstPromoter announced each approval: the seven are delivered, once each.
    expect((await fp.deliveredOf('after', (payouts) => payouts.filter((payout) => payout.state === 'succeeded').length === 7, 60_000)).length).toBe(7);

    // manual: only the ids an operator posts; more than 5 run as a batch process; an unknown id is retried alone, blocking nobody.
    await restart('payout', { ...payoutEnv, FIRSTPROMOTER_APPROVAL: 'manual' });
    const chosen = [420, 421, 422, 423, 424, 425].map((offset) => pendingCommission(offset, 'manual', daysAgo(40)));
    for (const spec of chosen) await announcePending(spec);
    expect((await admin(stack, 'POST', '/admin/firstpromoter/approval-runs')).body).toEqual({ mode: 'manual', listed: 0, queued: 0, skipped: {} });
    const requested = await admin(stack, 'POST', '/admin/firstpromoter/approvals', { ids: chosen.map((spec) => spec.id) });
    expect(requested).toEqual({ status: 202, body: { queued: chosen.map((spec) => String(spec.id)).sort(), alreadyQueued: 0 } });
    await eventually(approvalsOf, (rows) => chosen.every((spec) => rows.find((row) => row.commissionId === String(spec.id))?.state === 'approved'), 60_000);
    expect((await fp.deliveredOf('manual', (payouts) => payouts.filter((payout) => payout.state === 'succeeded').length === 6, 60_000)).length).toBe(6);
    expect((await admin(stack, 'POST', '/admin/firstpromoter/approvals', { ids: ['999999999'] })).status).toBe(202);
    const unknown = await eventually(approvalsOf, (rows) => rows.find((row) => row.commissionId === '999999999')?.state === 'retrying', 30_000);
    expect(unknown.find((row) => row.commissionId === '999999999')).toEqual(expect.objectContaining({ requestedBy: 'operator', lastError: expect.stringContaining('422') }));
    expect((await admin(stack, 'POST', '/admin/firstpromoter/approvals', { ids: ['not-an-id'] })).status).toBe(400);
  }, 300_000);
});
