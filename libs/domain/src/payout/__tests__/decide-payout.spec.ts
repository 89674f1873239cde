import { Decimal } from '../../money/decimal';
import { decidePayout, PayoutDecision } from '../decide-payout';
import { parseFractionDigits, parseThresholds, PayoutPolicy } from '../payout-policy';

const now = new Date('2026-11-21T12:00:00.000Z');

function policy(thresholds: string, fractionDigits = ''): PayoutPolicy {
  const parsedThresholds = parseThresholds(thresholds);
  const parsedDigits = parseFractionDigits(fractionDigits);
  if (typeof parsedThresholds === 'string' || typeof parsedDigits === 'string') throw new Error('bad test policy');
  return { thresholds: parsedThresholds, fractionDigitsByUnit: parsedDigits };
}

/** given a policy and a spendable balance, when the run decides, then this decision. */
function given(thresholds: string, fractionDigits = '') {
  return {
    when: (unit: string, spendable: string) => ({
      then: (expected: Partial<Record<keyof PayoutDecision | 'amount' | 'remainder' | 'amountMinor' | 'reason', string>>) => {
        const decision = decidePayout({ aui: 'u1', unit, spendable: new Decimal(spendable) }, policy(thresholds, fractionDigits), now);
        const seen: Record<string, string> = { kind: decision.kind };
        if (decision.kind === 'payout') {
          seen.amount = decision.amount.toFixed();
          seen.remainder = decision.remainder.toFixed();
          seen.amountMinor = decision.amountMinor.toString();
        } else {
          seen.reason = decision.reason;
        }
        expect(seen).toEqual(expect.objectContaining(expected));
      },
    }),
  };
}

describe('decidePayout', () => {
  it('pays a balance at the threshold', () => given('USD:10').when('USD', '10').then({ kind: 'payout', amount: '10', remainder: '0', amountMinor: '1000' }));
  it('does not pay below the threshold', () => given('USD:10').when('USD', '9.99999').then({ kind: 'none', reason: 'below-threshold' }));
  it('does not pay when rounding down drops the amount below the threshold', () => given('USD:10.005').when('USD', '10.009').then({ kind: 'none', reason: 'below-threshold' }));
  it('pays the rounded amount when rounding down keeps it at the threshold', () => given('USD:10').when('USD', '10.004').then({ kind: 'payout', amount: '10', remainder: '0.004' }));
  it('rounds USD down to cents and carries the remainder', () => given('USD:10').when('USD', '12.34567').then({ kind: 'payout', amount: '12.34', remainder: '0.00567', amountMinor: '1234' }));
  it('rounds EUR and GBP down to cents', () => {
    given('EUR:1').when('EUR', '1.999').then({ amount: '1.99', remainder: '0.009' });
    given('GBP:1').when('GBP', '5.00999').then({ amount: '5', remainder: '0.00999' });
  });
  it('pays JPY in whole yen', () => given('JPY:1000').when('JPY', '1500.9').then({ kind: 'payout', amount: '1500', remainder: '0.9', amountMinor: '1500' }));
  it('pays reward units in whole units by default', () => given('credits:100').when('credits', '150.75').then({ amount: '150', remainder: '0.75' }));
  it('pays reward units at a configured precision', () => given('points:1', 'points:1').when('points', '3.27').then({ amount: '3.2', remainder: '0.07', amountMinor: '32' }));
  it('never pays a negative balance (a clawback); later earnings offset it', () => {
    given('USD:10').when('USD', '-4.5').then({ kind: 'none', reason: 'balance-not-positive' });
    // The ledger nets the clawback against the next earnings: -4.5 + 20 = 15.5.
    given('USD:10').when('USD', new Decimal('-4.5').plus('20').toFixed()).then({ kind: 'payout', amount: '15.5', remainder: '0' });
  });
  it('never pays a zero balance', () => given('USD:10').when('USD', '0').then({ kind: 'none', reason: 'balance-not-positive' }));
  it('never pays a unit without a threshold', () => given('USD:10').when('free_months', '3').then({ kind: 'none', reason: 'unit-not-paid-out' }));
  it('never pays more than the balance, whatever the balance', () => {
    for (const text of ['10', '10.1', '99.99999', '123456789.123456789', '10.005']) {
      const decision = decidePayout({ aui: 'u', unit: 'USD', spendable: new Decimal(text) }, policy('USD:10'), now);
      if (decision.kind !== 'payout') throw new Error(`expected a payout for ${text}`);
      expect(decision.amount.plus(decision.remainder).equals(new Decimal(text))).toBe(true);
      expect(decision.remainder.gte(0) && decision.remainder.lt('0.01')).toBe(true);
    }
  });
  it('records the time it was given, never the clock', () => {
    const decision = decidePayout({ aui: 'u', unit: 'USD', spendable: new Decimal('11') }, policy('USD:10'), now);
    expect(decision.kind === 'payout' && decision.decidedAt).toBe('2026-11-21T12:00:00.000Z');
  });
});

describe('parseThresholds', () => {
  it('reads unit:amount pairs', () => expect([...(parseThresholds('USD:10,EUR:10.5,credits:100') as Map<string, Decimal>)].map(([unit, amount]) => `${unit}=${amount.toFixed()}`)).toEqual(['USD=10', 'EUR=10.5', 'credits=100']));
  it('names a malformed entry', () => expect(parseThresholds('USD:ten')).toMatch(/not unit:amount/));
  it('refuses a zero threshold', () => expect(parseThresholds('USD:0')).toMatch(/must be positive/));
});
