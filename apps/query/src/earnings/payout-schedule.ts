import { canonicalTimestamp, Decimal, decidePayout, ReviewPolicy } from '@earnings/domain';
import { CronTime } from 'cron';
import { BalanceView } from './earnings.repository';

/** One unit's way to its next payout, as payoutSchedule answers it. */
export interface PayoutScheduleView {
  unit: string;
  threshold: string | null;
  available: string;
  spendable: string;
  remaining: string | null;
  reached: boolean;
  /** The next run's payout waits for the partner's review before it leaves (PAYOUT_REVIEW); false when not reached. */
  review: boolean;
  nextRunAt: string | null;
}

/**
 * The payout policy as the payout service publishes it (payout_policy_view): the units its runs
 * pay with their thresholds and payable digits, which payouts it reviews, and its schedule. The
 * query service never calls the payout service, so a dashboard keeps working while payouts are down.
 */
export interface PublishedPayoutPolicy {
  thresholds: ReadonlyMap<string, Decimal>;
  fractionDigitsByUnit: ReadonlyMap<string, number>;
  /** Which payouts wait for the partner's review before they leave (PAYOUT_REVIEW). */
  review: ReviewPolicy;
  /** Null until the payout service published its policy: then no unit is promised a run. */
  schedule: { runCron: string; runTimeZone: string; nextRunAt: string | null } | null;
}

/**
 * The next scheduled run strictly after `now`: the one the payout service published, or, once that
 * has passed (the service is late publishing the one after), the next its cron names in its time zone.
 */
export function nextRunAfter(policy: PublishedPayoutPolicy, now: Date): string | null {
  const schedule = policy.schedule;
  if (schedule === null) return null;
  if (schedule.nextRunAt !== null && Date.parse(schedule.nextRunAt) > now.getTime()) return canonicalTimestamp(schedule.nextRunAt);
  try {
    return canonicalTimestamp(new CronTime(schedule.runCron, schedule.runTimeZone).getNextDateFrom(now, schedule.runTimeZone).toJSDate().toISOString());
  } catch {
    // A schedule this service cannot read promises nothing.
    return null;
  }
}

/**
 * Per balance, the unit's threshold, what is left to earn, and whether the next run pays: decided
 * as the run decides (decidePayout on spendable, rounded down to the unit's payable digits), so
 * what is withheld for returns, payouts in flight and clawbacks never counts toward the threshold.
 * A unit the policy does not list (or before any policy is published) has no threshold and no run:
 * it is never promised. A security hold that lasts past the next run means it does not pay.
 * A payout the partner reviews is still decided (`reached`), with `review`: it leaves once approved.
 */
export function payoutScheduleOf(policy: PublishedPayoutPolicy, aui: string, balances: readonly BalanceView[], now: Date, securityHoldUntil: string | null = null): PayoutScheduleView[] {
  const nextRunAt = nextRunAfter(policy, now);
  return balances.map((balance) => {
    const threshold = policy.thresholds.get(balance.unit) ?? null;
    const figures = { unit: balance.unit, available: balance.available, spendable: balance.spendable };
    if (threshold === null) return { ...figures, threshold: null, remaining: null, reached: false, review: false, nextRunAt: null };
    const spendable = new Decimal(balance.spendable);
    // A security hold that ends before the next run does not stop it.
    const decision = decidePayout({ aui, unit: balance.unit, spendable, securityHoldUntil }, policy, nextRunAt === null ? now : new Date(nextRunAt));
    const reached = decision.kind === 'payout';
    // Below zero spendable stops at 0: what later earnings must make up first (shortfall) is still to earn.
    const remaining = reached ? new Decimal(0) : Decimal.max(threshold.minus(spendable).plus(balance.shortfall), 0);
    return { ...figures, threshold: threshold.toFixed(), remaining: remaining.toFixed(), reached, review: reached && decision.review, nextRunAt };
  });
}
