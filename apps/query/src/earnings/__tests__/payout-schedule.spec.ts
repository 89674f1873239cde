import { BalanceView } from '../earnings.repository';
import { PayoutScheduleRules } from '../payout-schedule';

const balance = (unit: string, available: string, spendable = available, shortfall = '0'): BalanceView => ({
  unit, available, spendable, shortfall, lifetime: '0', pending: '0', paidOut: '0', paidByNetwork: '0', reserved: '0', pendingReversals: '0', uncollected: '0',
  withheld: { total: '0', reasons: [] },
});

describe('PayoutScheduleRules: threshold progress and the next scheduled run', () => {
  const now = new Date('2026-11-29T15:00:00Z');

  it('shows what is still to earn, and the next run after now', () => {
    const rules = new PayoutScheduleRules('USD:10,credits:100', '0 2 * * *');
    const [usd, credits] = rules.scheduleOf('u1', [balance('USD', '3.45001'), balance('credits', '150')], now);
    expect(usd).toEqual({ unit: 'USD', threshold: '10', available: '3.45001', spendable: '3.45001', remaining: '6.54999', reached: false, nextRunAt: expect.stringMatching(/^2026-11-30T\d{2}:00:00\.000000Z$/) });
    expect([credits.remaining, credits.reached]).toEqual(['0', true]);
  });

  it('answers no threshold and no run for a unit scheduled runs do not pay, and no run when the cron is empty', () => {
    expect(new PayoutScheduleRules('USD:10', '0 2 * * *').scheduleOf('u1', [balance('points', '5')], now)).toEqual([
      { unit: 'points', threshold: null, available: '5', spendable: '5', remaining: null, reached: false, nextRunAt: null },
    ]);
    expect(new PayoutScheduleRules('USD:10', '').nextRunAfter(now)).toBeNull();
  });

  it('decides on spendable, as the run does: money withheld for a return not settled yet never reaches the threshold', () => {
    const [usd] = new PayoutScheduleRules('USD:10', '0 2 * * *').scheduleOf('u1', [balance('USD', '12', '0')], now);
    expect([usd.reached, usd.remaining, usd.available, usd.spendable]).toEqual([false, '10', '12', '0']);
  });

  it('counts a clawback as the full threshold plus the debt', () => {
    const [usd] = new PayoutScheduleRules('USD:10', '').scheduleOf('u1', [balance('USD', '-2.5', '0', '2.5')], now);
    expect(usd.remaining).toBe('12.5');
  });

  it('never promises the unattributed owner a payout', () => {
    const [usd] = new PayoutScheduleRules('USD:10', '0 2 * * *').scheduleOf('~unattributed', [balance('USD', '50')], now);
    expect(usd.reached).toBe(false);
  });

  it('refuses malformed thresholds and cron expressions at start', () => {
    expect(() => new PayoutScheduleRules('USD:ten', '0 2 * * *')).toThrow(/QUERY_PAYOUT_THRESHOLDS/);
    expect(() => new PayoutScheduleRules('USD:10', 'every night')).toThrow();
  });
});
