import { PayoutFailed, Topics } from '@earnings/contracts';
import { eventually, readWholeTopic } from './test-stack';
import {
  admin, commission, ledgerBalances, PayoutStack, payoutsExecutedOf, payoutsReturnedOf, produceCommissions, setMethods, simulatorAdmin, simulatorPayouts, startPayoutStack, waitForView,
} from './payout-scenario';

interface ListedPayout {
  payoutId: string;
  state: string;
  providerStatus: string | null;
  failureReason: string | null;
}

/**
 * What each PayPal item status means for the money, end to end: the payout service's admin API and
 * runs, the PayPal stand-in answering each item status (per payout or per recipient, through its
 * admin API), the real projector, and the events on the topics. Only a SUCCESS item is paid; an
 * item PENDING, ONHOLD or UNCLAIMED is still on its way (held, polled, never announced executed);
 * FAILED (or RETURNED) before success releases the hold; RETURNED, REFUNDED, BLOCKED or FAILED
 * after success is a return, and the next run pays the user again, once.
 */
describe('PayPal item states: only a SUCCESS item is paid', () => {
  let stack: PayoutStack;
  const aui = (name: string) => `${stack.auiPrefix}-${name}`;
  const usd = (name: string) => JSON.stringify([aui(name), 'USD']);
  const recipientOf = (name: string) => `${name}-${stack.auiPrefix}@example.com`;
  const payoutsOf = async (name: string) => (await admin(stack, 'GET', `/admin/payouts?aui=${encodeURIComponent(aui(name))}`)).body.payouts as ListedPayout[];
  const figuresOf = async (name: string) => {
    const figures = (await ledgerBalances(stack)).get(usd(name));
    return figures === undefined ? null : { paidOut: figures.paidOut.toFixed(), reserved: figures.reserved.toFixed(), available: figures.available.toFixed() };
  };
  const pollsOf = async (payoutId: string) => (await simulatorPayouts(stack)).executed.find((payout) => payout.payoutId === payoutId)?.polls ?? 0;
  const executedOf = async (name: string) => (await payoutsExecutedOf(stack)).filter((event) => event.aui === aui(name)).map((event) => event.payoutId);
  const returnedOf = async (name: string) => (await payoutsReturnedOf(stack)).filter((event) => event.aui === aui(name)).map((event) => [event.payoutId, event.reason]);
  const failedOf = async (name: string) =>
    (await readWholeTopic(Topics.payoutFailed)).filter((message) => message.key === aui(name)).map((message) => JSON.parse(message.value) as PayoutFailed).map((event) => [event.payoutId, event.reason]);
  const runPayouts = async () => expect((await admin(stack, 'POST', '/admin/payout-runs')).status).toBe(201);
  /** The item status PayPal answers for this user's payouts from now on (null: SUCCESS). */
  const itemsOfUserAnswer = (name: string, itemStatus: string | null) => simulatorAdmin(stack, '/_admin/payouts/paypal-items', { recipient: recipientOf(name), itemStatus });
  const itemOfPayoutAnswers = (payoutId: string, itemStatus: string | null) => simulatorAdmin(stack, '/_admin/payouts/paypal-items', { payoutId, itemStatus });

  /** A user owed 20.00, paid by PayPal, whose item answers `itemStatus` once its batch succeeds: a run, and the payout it started. */
  const payUser = async (name: string, itemStatus: string): Promise<ListedPayout> => {
    await setMethods(stack, [{ aui: aui(name), method: 'paypal', destination: recipientOf(name) }]);
    await itemsOfUserAnswer(name, itemStatus);
    await produceCommissions([commission({ aui: aui(name), commissionId: aui(`${name}-1`), amount: '20' })]);
    await waitForView(stack, new Map([[usd(name), '20']]));
    await runPayouts();
    const [payout] = await eventually(() => payoutsOf(name), (payouts) => payouts.length === 1 && payouts[0].state !== 'requested', 60_000);
    return payout;
  };

  /** Still on its way: submitted, asked about again and again, held by the ledger, never announced executed, and a run pays nothing more. */
  const expectOnItsWay = async (name: string, payoutId: string, itemStatus: string) => {
    const pollsBefore = await pollsOf(payoutId);
    await eventually(() => pollsOf(payoutId), (polls) => polls >= pollsBefore + 2, 60_000);
    expect((await payoutsOf(name)).map((payout) => [payout.payoutId, payout.state, payout.providerStatus])).toEqual([[payoutId, 'submitted', `paypal item ${itemStatus}`]]);
    expect(await eventually(() => figuresOf(name), (figures) => figures?.reserved === '20', 60_000)).toEqual({ paidOut: '0', reserved: '20', available: '0' });
    await runPayouts();
    expect((await payoutsOf(name)).map((payout) => payout.payoutId)).toEqual([payoutId]);
    expect(await executedOf(name)).toEqual([]);
  };

  /** The item succeeds: paid once, announced once, counted paid by the ledger. */
  const expectPaidOnSuccess = async (name: string, payoutId: string) => {
    await itemOfPayoutAnswers(payoutId, 'SUCCESS');
    await eventually(() => payoutsOf(name), (payouts) => payouts.length === 1 && payouts[0].state === 'succeeded', 60_000);
    expect(await eventually(() => figuresOf(name), (figures) => figures?.paidOut === '20', 60_000)).toEqual({ paidOut: '20', reserved: '0', available: '0' });
    expect(await executedOf(name)).toEqual([payoutId]);
  };

  /** The money is the user's again (not paid, nothing held), and the next run pays it once, to an item that succeeds. */
  const expectPaidAgainByTheNextRun = async (name: string, endedPayoutId: string) => {
    await eventually(() => figuresOf(name), (figures) => figures?.available === '20' && figures.reserved === '0' && figures.paidOut === '0', 60_000);
    await waitForView(stack, new Map([[usd(name), '20']]));
    await itemsOfUserAnswer(name, null);
    await runPayouts();
    const payouts = await eventually(() => payoutsOf(name), (listed) => listed.some((payout) => payout.payoutId !== endedPayoutId && payout.state === 'succeeded'), 60_000);
    expect(payouts.length).toBe(2);
    expect(await eventually(() => figuresOf(name), (figures) => figures?.paidOut === '20', 60_000)).toEqual({ paidOut: '20', reserved: '0', available: '0' });
  };

  /** In flight under `firstStatus` (null: straight to SUCCESS), then SUCCESS, then `returnStatus`: a return after success (PayoutReturned), paid again once. */
  const expectReturnAfterSuccess = async (name: string, firstStatus: string | null, returnStatus: string) => {
    const payout = await payUser(name, firstStatus ?? 'SUCCESS');
    if (firstStatus !== null) await expectOnItsWay(name, payout.payoutId, firstStatus);
    await expectPaidOnSuccess(name, payout.payoutId);
    await itemOfPayoutAnswers(payout.payoutId, returnStatus);
    const [returned] = await eventually(() => payoutsOf(name), (payouts) => payouts[0]?.state === 'returned', 60_000);
    expect(returned.failureReason).toBe(`paypal item ${returnStatus}`);
    expect(await eventually(() => returnedOf(name), (events) => events.length > 0, 30_000)).toEqual([[payout.payoutId, `paypal item ${returnStatus}`]]);
    await expectPaidAgainByTheNextRun(name, payout.payoutId);
    expect(await failedOf(name)).toEqual([]);
  };

  beforeAll(async () => {
    stack = await startPayoutStack('paypal-items');
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('PENDING: stays in flight and is polled, held by the ledger; paid once when it succeeds', async () => {
    const payout = await payUser('pending', 'PENDING');
    await expectOnItsWay('pending', payout.payoutId, 'PENDING');
    await expectPaidOnSuccess('pending', payout.payoutId);
  }, 240_000);

  it('ONHOLD, then FAILED before success: the hold is released (PayoutFailed), never announced paid, and the next run pays', async () => {
    const payout = await payUser('onhold', 'ONHOLD');
    await expectOnItsWay('onhold', payout.payoutId, 'ONHOLD');
    await itemOfPayoutAnswers(payout.payoutId, 'FAILED');
    const [failed] = await eventually(() => payoutsOf('onhold'), (payouts) => payouts[0]?.state === 'failed', 60_000);
    expect(failed.failureReason).toBe('paypal item FAILED');
    expect(await eventually(() => failedOf('onhold'), (events) => events.length > 0, 30_000)).toEqual([[payout.payoutId, 'paypal item FAILED']]);
    expect(await executedOf('onhold')).toEqual([]);
    await expectPaidAgainByTheNextRun('onhold', payout.payoutId);
  }, 240_000);

  it('UNCLAIMED, then RETURNED (unclaimed for 30 days): it never reached the user, so the payout failed and the hold is released', async () => {
    const payout = await payUser('unclaimed', 'UNCLAIMED');
    await expectOnItsWay('unclaimed', payout.payoutId, 'UNCLAIMED');
    await itemOfPayoutAnswers(payout.payoutId, 'RETURNED');
    await eventually(() => payoutsOf('unclaimed'), (payouts) => payouts[0]?.state === 'failed', 60_000);
    expect(await eventually(() => failedOf('unclaimed'), (events) => events.length > 0, 30_000)).toEqual([[payout.payoutId, 'paypal item RETURNED']]);
    expect([await executedOf('unclaimed'), await returnedOf('unclaimed')]).toEqual([[], []]);
    await expectPaidAgainByTheNextRun('unclaimed', payout.payoutId);
  }, 240_000);

  it('RETURNED after success (it was PENDING first) is a return: PayoutReturned, and the next run pays once', async () => {
    await expectReturnAfterSuccess('returned', 'PENDING', 'RETURNED');
  }, 240_000);

  it('REFUNDED after success (it was UNCLAIMED, then claimed) is a return', async () => {
    await expectReturnAfterSuccess('refunded', 'UNCLAIMED', 'REFUNDED');
  }, 240_000);

  it('BLOCKED after success (it was ONHOLD for review first) is a return', async () => {
    await expectReturnAfterSuccess('blocked', 'ONHOLD', 'BLOCKED');
  }, 240_000);

  it('FAILED after success is a return, not a contradiction to ignore', async () => {
    await expectReturnAfterSuccess('failed-late', null, 'FAILED');
  }, 240_000);
});
