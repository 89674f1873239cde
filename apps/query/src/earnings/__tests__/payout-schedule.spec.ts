import { Decimal, parseReviewPolicy, ReviewPolicy } from '@earnings/domain';
import { BalanceView } from '../earnings.repository';
import { nextRunAfter, payoutScheduleOf, PublishedPayoutPolicy } from '../payout-schedule';

const balance = (unit: string, available: string, spendable = available, shortfall = '0'): BalanceView => ({
  unit, available, spendable, shortfall, lifetime: '0', pending: '0', paidOut: '0', paidByNetwork: '0', reserved: '0', pendingReversals: '0', uncollected: '0',
  withheld: { total: '0', reasons: [] },
});

/** A policy as payout_policy_view publishes it. */
const policy = (thresholds: Record<string, string>, schedule: PublishedPayoutPolicy['schedule'], digits: Record<string, number> = {}, review: ReviewPolicy = { kind: 'none' }): PublishedPayoutPolicy => ({
  thresholds: new Map(Object.entries(thresholds).map(([unit, amount]) => [unit, new Decimal(amount)])),
  fractionDigitsByUnit: new Map(Object.keys(thresholds).map((unit) => [unit, digits[unit] ?? (unit === unit.toUpperCase() ? 2 : 0)])),
  review,
  schedule,
});
/** A review policy as published (PAYOUT_REVIEW's text), read with the one parser. */
const reviewing = (text: string): ReviewPolicy => {
  const review = parseReviewPolicy(text);
  if (typeof review === 'string') throw new Error(review);
  return review;
};
const nightly = { runCron: '0 2 * * *', runTimeZone: 'UTC', nextRunAt: '2026-11-30T02:00:00.000Z' };

describe('payoutScheduleOf: threshold progress and the next run, from the policy the payout service published', () => {
  const now = new Date('2026-11-29T15:00:00Z');

  it('shows what is still to earn, and the next run the payout service published', () => {
    const [usd, credits] = payoutScheduleOf(policy({ USD: '10', credits: '100' }, nightly), 'u1', [balance('USD', '3.45001'), balance('credits', '150')], now);
    expect(usd).toEqual({ unit: 'USD', threshold: '10', available: '3.45001', spendable: '3.45001', remaining: '6.54999', reached: false, review: false, nextRunAt: '2026-11-30T02:00:00.000000Z' });
    expect([credits.remaining, credits.reached, credits.nextRunAt]).toEqual(['0', true, '2026-11-30T02:00:00.000000Z']);
  });

  it('never promises a unit the policy does not list, nor anything before a policy is published', () => {
    expect(payoutScheduleOf(policy({ USD: '10' }, nightly), 'u1', [balance('credits', '500')], now)).toEqual([
      { unit: 'credits', threshold: null, available: '500', spendable: '500', remaining: null, reached: false, review: false, nextRunAt: null },
    ]);
    expect(payoutScheduleOf(policy({}, null), 'u1', [balance('USD', '50')], now)).toEqual([
      { unit: 'USD', threshold: null, available: '50', spendable: '50', remaining: null, reached: false, review: false, nextRunAt: null },
    ]);
  });

  it('decides reached as the run does, on the amount rounded down to the payable digits', () => {
    const [points] = payoutScheduleOf(policy({ points: '10.5' }, nightly, { points: 0 }), 'u1', [balance('points', '10.9')], now);
    expect([points.remaining, points.reached]).toEqual(['0', false]);
    const [usd] = payoutScheduleOf(policy({ USD: '10' }, nightly), 'u1', [balance('USD', '10.004')], now);
    expect(usd.reached).toBe(true);
  });

  it('decides on spendable, as the run does: money withheld for a return not settled yet never reaches the threshold', () => {
    const [usd] = payoutScheduleOf(policy({ USD: '10' }, nightly), 'u1', [balance('USD', '12', '0')], now);
    expect([usd.reached, usd.remaining, usd.available, usd.spendable]).toEqual([false, '10', '12', '0']);
  });

  it('counts a clawback as the full threshold plus the debt', () => {
    const [usd] = payoutScheduleOf(policy({ USD: '10' }, nightly), 'u1', [balance('USD', '-2.5', '0', '2.5')], now);
    expect([usd.remaining, usd.reached]).toEqual(['12.5', false]);
  });

  it('says which payout the next run holds for the partner\'s review, as the run decides it: still reached, on the amount it pays', () => {
    const above50 = policy({ USD: '10', credits: '100' }, nightly, {}, reviewing('above:50'));
    const [large, small, credits] = payoutScheduleOf(above50, 'u1', [balance('USD', '80'), balance('USD', '50.009'), balance('credits', '150')], now);
    expect([large.reached, large.review, large.remaining]).toEqual([true, true, '0']);
    // 50.009 pays 50.00, which is not above 50.
    expect([small.reached, small.review]).toEqual([true, false]);
    expect([credits.reached, credits.review]).toEqual([true, true]);
    const perUnit = policy({ USD: '10', credits: '100' }, nightly, {}, reviewing('above:USD:50'));
    const [usd, unlisted] = payoutScheduleOf(perUnit, 'u1', [balance('USD', '40'), balance('credits', '150')], now);
    // A unit the partner named no amount for is reviewed.
    expect([usd.review, unlisted.review]).toEqual([false, true]);
    expect(payoutScheduleOf(policy({ USD: '10' }, nightly, {}, reviewing('all')), 'u1', [balance('USD', '12')], now)[0].review).toBe(true);
  });

  it('says no review when no payout is reached: below the threshold, or held past the next run', () => {
    const all = policy({ USD: '10' }, nightly, {}, reviewing('all'));
    expect(payoutScheduleOf(all, 'u1', [balance('USD', '4')], now)[0]).toMatchObject({ reached: false, review: false });
    expect(payoutScheduleOf(all, 'u1', [balance('USD', '40')], now, '2026-12-01T00:00:00Z')[0]).toMatchObject({ reached: false, review: false });
  });

  it('never promises the unattributed owner a payout', () => {
    const [usd] = payoutScheduleOf(policy({ USD: '10' }, nightly), '~unattributed', [balance('USD', '50')], now);
    expect(usd.reached).toBe(false);
  });
});

describe('nextRunAfter', () => {
  it('reads the cron in the published time zone once the published next run has passed', () => {
    const passed = { runCron: '0 2 * * *', runTimeZone: 'America/New_York', nextRunAt: '2026-11-28T07:00:00.000Z' };
    // 02:00 in New York in late November is 07:00 UTC.
    expect(nextRunAfter(policy({ USD: '10' }, passed), new Date('2026-11-29T15:00:00Z'))).toBe('2026-11-30T07:00:00.000000Z');
  });

  it('promises no run for a schedule it cannot read, or none published', () => {
    expect(nextRunAfter(policy({ USD: '10' }, { runCron: 'every night', runTimeZone: 'UTC', nextRunAt: null }), new Date())).toBeNull();
    expect(nextRunAfter(policy({}, null), new Date())).toBeNull();
  });
});
