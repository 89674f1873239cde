import { canonicalTimestamp, Decimal, decidePayout, parseThresholds, PayoutPolicy } from '@earnings/domain';
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
  nextRunAt: string | null;
}

/**
 * The payout service's policy as the query service knows it (QUERY_PAYOUT_THRESHOLDS and
 * QUERY_PAYOUT_RUN_CRON, set to the payout service's values): the query service never asks the
 * payout service, so a dashboard keeps working while payouts are down.
 */
export class PayoutScheduleRules {
  private readonly policy: PayoutPolicy;
  private readonly runTime: CronTime | null;

  constructor(thresholdsText: string, runCron: string) {
    const thresholds = parseThresholds(thresholdsText);
    if (typeof thresholds === 'string') throw new Error(`QUERY_PAYOUT_THRESHOLDS: ${thresholds}`);
    this.policy = { thresholds, fractionDigitsByUnit: new Map() };
    // CronTime throws on a malformed expression: the service refuses to start rather than show wrong dates.
    this.runTime = runCron.trim() === '' ? null : new CronTime(runCron);
  }

  /** The next scheduled run strictly after `now`, or null when scheduled runs are off. */
  nextRunAfter(now: Date): string | null {
    if (this.runTime === null) return null;
    const next = this.runTime.getNextDateFrom(now).toJSDate();
    return canonicalTimestamp(next.toISOString());
  }

  /**
   * Per balance: whether the next run pays it, decided as the run decides (decidePayout on
   * spendable: what is held back for returns, payouts in flight and clawbacks never counts toward
   * the threshold), and how much is still to earn.
   */
  scheduleOf(aui: string, balances: readonly BalanceView[], now: Date): PayoutScheduleView[] {
    const nextRunAt = this.nextRunAfter(now);
    return balances.map((balance) => {
      const threshold = this.policy.thresholds.get(balance.unit) ?? null;
      const spendable = new Decimal(balance.spendable);
      const decision = decidePayout({ aui, unit: balance.unit, spendable }, this.policy, now);
      const reached = decision.kind === 'payout';
      const remaining = threshold === null ? null : reached ? new Decimal(0) : Decimal.max(threshold.minus(spendable).plus(balance.shortfall), 0);
      return {
        unit: balance.unit,
        threshold: threshold?.toFixed() ?? null,
        available: balance.available,
        spendable: balance.spendable,
        remaining: remaining?.toFixed() ?? null,
        reached,
        nextRunAt: threshold === null ? null : nextRunAt,
      };
    });
  }
}
