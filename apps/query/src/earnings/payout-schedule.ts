import { canonicalTimestamp, Decimal, parseThresholds } from '@earnings/domain';
import { CronTime } from 'cron';
import { BalanceView } from './earnings.repository';

/** One unit's way to its next payout, as payoutSchedule answers it. */
export interface PayoutScheduleView {
  unit: string;
  threshold: string | null;
  available: string;
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
  private readonly thresholds: Map<string, Decimal>;
  private readonly runTime: CronTime | null;

  constructor(thresholdsText: string, runCron: string) {
    const thresholds = parseThresholds(thresholdsText);
    if (typeof thresholds === 'string') throw new Error(`QUERY_PAYOUT_THRESHOLDS: ${thresholds}`);
    this.thresholds = thresholds;
    // CronTime throws on a malformed expression: the service refuses to start rather than show wrong dates.
    this.runTime = runCron.trim() === '' ? null : new CronTime(runCron);
  }

  /** The next scheduled run strictly after `now`, or null when scheduled runs are off. */
  nextRunAfter(now: Date): string | null {
    if (this.runTime === null) return null;
    const next = this.runTime.getNextDateFrom(now).toJSDate();
    return canonicalTimestamp(next.toISOString());
  }

  scheduleOf(balances: readonly BalanceView[], now: Date): PayoutScheduleView[] {
    const nextRunAt = this.nextRunAfter(now);
    return balances.map((balance) => {
      const threshold = this.thresholds.get(balance.unit) ?? null;
      const available = new Decimal(balance.available);
      const remaining = threshold === null ? null : Decimal.max(threshold.minus(available), 0);
      return {
        unit: balance.unit,
        threshold: threshold?.toFixed() ?? null,
        available: balance.available,
        remaining: remaining?.toFixed() ?? null,
        reached: remaining !== null && remaining.isZero(),
        nextRunAt: threshold === null ? null : nextRunAt,
      };
    });
  }
}
