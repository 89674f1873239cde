import { checkKillRun, runPayoutsUnderKills, startPayoutStack } from '../e2e/payout-scenario';
import { runSoak } from './run-soak';

/**
 * The payout fault test at soak size: 1,000 eligible users (SOAK_USERS) paid through the PayPal
 * and gift card stand-ins by three payout processes side by side (SOAK_PAYOUT_PROCESSES), one of
 * them killed with SIGKILL 10 times (SOAK_KILLS), then a tenth of the PayPal payouts returned after
 * success under one more kill, then every payout checked: executed once at the provider, nobody paid
 * twice, provider total = PayoutExecuted - PayoutReturned = ledger paidOut, nobody paid more than
 * available, each return recorded once and paid again once. Uses KAFKA_BROKERS / DATABASE_URL, or starts its own.
 *
 *   npm run soak:payout
 */
const userCount = Number(process.env.SOAK_USERS ?? 1_000);
const killCount = Number(process.env.SOAK_KILLS ?? 10);
const payoutProcesses = Number(process.env.SOAK_PAYOUT_PROCESSES ?? 3);
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2_147_483_647);

async function main(): Promise<number> {
  const startedAt = Date.now();
  const stack = await startPayoutStack('payout-soak', {}, { payoutProcesses });
  try {
    const run = await runPayoutsUnderKills(stack, { userCount, killCount, killDelayMsMax: 4_000, seed });
    const check = await checkKillRun(stack, run);
    const failures = [
      check.payoutsExecutedTwice.length > 0 && 'a payout id executed twice',
      check.usersPaidTwiceAtProvider.length > 0 && 'a user was paid twice at the provider',
      check.payoutIdsExecutedAtProvider !== userCount + run.returnedUsers && 'not one executed payout per user and one more per return',
      check.payoutsReturned !== run.returnedUsers && 'a return was not recorded exactly once',
      check.payoutExecutedTotal !== check.providerTotal && 'PayoutExecuted total differs from the provider total',
      check.ledgerPaidOutTotal !== check.providerTotal && 'ledger paidOut differs from the provider total',
      check.usersPaidMoreThanAvailable.length > 0 && 'someone was paid more than available',
      check.usersPaidOtherThanRoundedDown.length > 0 && 'someone was paid other than the rounded-down payable',
      run.finalRunRequested !== 0 && 'a settled run still found something to pay',
    ].filter((failure): failure is string => typeof failure === 'string');
    console.log(JSON.stringify({ users: userCount, payoutProcesses: run.payoutProcesses, kills: run.kills, seed, durationSeconds: (Date.now() - startedAt) / 1000, finalRunRequested: run.finalRunRequested, ...check, failures }, null, 2));
    return failures.length === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

runSoak('payout-soak', main);
