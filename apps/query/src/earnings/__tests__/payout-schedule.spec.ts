import { BalanceView } from '../earnings.repository';
import { PayoutScheduleRules } from '../payout-schedule';

const balance = (unit: string, available: string): BalanceView => ({
  unit, available, lifetime: '0', pending: '0', paidOut: '0', paidByNetwork: '0', reserved: '0', pendingReversals: '0', uncollected: '0',
});

describe('PayoutScheduleRules: threshold progress and the next scheduled run', () => {
  const now = new Date('2026-11-29T15:00:00Z');

  it('shows what is still to earn, and the next run after now', () => {
    const rules = new PayoutScheduleRules('USD:10,credits:100', '0 2 * * *');
    const [usd, credits] = rules.scheduleOf([balance('USD', '3.45001'), balance('credits', '150')], now);
    expect(usd).toEqual({ unit: 'USD', threshold: '10', available: '3.45001', remaining: '6.54999', reached: false, nextRunAt: expect.stringMatching(/^2026-11-30T\d{2}:00:00\.000000Z$/) });
    expect([credits.remaining, credits.reached]).toEqual(['0', true]);
  });

  it('answers no threshold and no run for a unit scheduled runs do not pay, and no run when the cron is empty', () => {
    expect(new PayoutScheduleRules('USD:10', '0 2 * * *').scheduleOf([balance('points', '5')], now)).toEqual([
      { unit: 'points', threshold: null, available: '5', remaining: null, reached: false, nextRunAt: null },
    ]);
    expect(new PayoutScheduleRules('USD:10', '').nextRunAfter(now)).toBeNull();
  });

  it('counts a negative available (after a clawback) as the full threshold plus the debt', () => {
    const [usd] = new PayoutScheduleRules('USD:10', '').scheduleOf([balance('USD', '-2.5')], now);
    expect(usd.remaining).toBe('12.5');
  });

  it('refuses malformed thresholds and cron expressions at start', () => {
    expect(() => new PayoutScheduleRules('USD:ten', '0 2 * * *')).toThrow(/QUERY_PAYOUT_THRESHOLDS/);
    expect(() => new PayoutScheduleRules('USD:10', 'every night')).toThrow();
  });
});
