import { checkKillRun, KillRunCheck, KillRunResult, runPayoutsUnderKills, startPayoutStack, PayoutStack } from './payout-scenario';

/**
 * Money leaves exactly once: 300 eligible users paid through the PayPal and gift card stand-ins by
 * three payout processes sharing the work (leases), one of them killed with SIGKILL at 3 random
 * moments (and the stand-ins lose answers, fail and time out), with the real ledger projector
 * applying what they announce; then a tenth of the PayPal payouts come back after success while a
 * process is killed once more, and those users are paid again, once.
 */
describe('payouts under crashes', () => {
  let stack: PayoutStack;
  let run: KillRunResult;
  let check: KillRunCheck;

  beforeAll(async () => {
    stack = await startPayoutStack('payout-faults', {}, { payoutProcesses: 3 });
    run = await runPayoutsUnderKills(stack, { userCount: 300, killCount: 3, killDelayMsMax: 2_500, seed: 20261122 });
    check = await checkKillRun(stack, run);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('executes each payout id at the provider exactly once, one payout per user, and one more per return', () => {
    expect([run.payoutProcesses, run.kills]).toEqual([3, 4]);
    expect(run.returnedUsers).toBe(30);
    expect(check.payoutsExecutedTwice).toEqual([]);
    expect(check.usersPaidTwiceAtProvider).toEqual([]);
    // The idempotency path was exercised: lost answers and crashes made the service submit again.
    expect(check.payoutIdsSubmittedMoreThanOnce).toBeGreaterThan(0);
    expect(check.payoutIdsExecutedAtProvider).toBe(330);
    expect(check.distinctPayoutExecuted).toBe(330);
    expect(check.payoutsSucceeded).toBe(300);
    expect([check.payoutsReturned, check.distinctPayoutReturned]).toEqual([30, 30]);
    expect(check.payoutsFailed).toBe(0);
  });

  it('agrees to the cent: provider total = PayoutExecuted - PayoutReturned = paidOut in the ledger', () => {
    expect(check.payoutExecutedTotal).toBe(check.providerTotal);
    expect(check.ledgerPaidOutTotal).toBe(check.providerTotal);
  });

  it('pays nobody more than was available, and exactly the rounded-down payable (never the network-paid part)', () => {
    expect(check.usersPaidMoreThanAvailable).toEqual([]);
    expect(check.usersPaidOtherThanRoundedDown).toEqual([]);
  });

  it('finds nothing more to pay once everything settled', () => {
    expect(run.finalRunRequested).toBe(0);
  });
});
