import { Decimal } from '../../money/decimal';
import { decidePayout, PayoutDecision } from '../decide-payout';
import { parseFractionDigits, parseReviewPolicy, parseThresholds, PayoutPolicy, ReviewPolicy, reviewPolicyText } from '../payout-policy';

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

describe('decidePayout: review and security hold', () => {
  const reviewed = (text: string): PayoutPolicy => {
    const review = parseReviewPolicy(text);
    if (typeof review === 'string') throw new Error(review);
    return { ...policy('USD:10,credits:100'), review };
  };
  const decide = (payoutPolicy: PayoutPolicy, unit: string, spendable: string, securityHoldUntil: string | null = null) =>
    decidePayout({ aui: 'u1', unit, spendable: new Decimal(spendable), securityHoldUntil }, payoutPolicy, now);

  it('holds for review only what the partner asked: none, all, above an amount, above an amount per unit', () => {
    const review = (text: string, unit: string, spendable: string) => {
      const decision = decide(reviewed(text), unit, spendable);
      return decision.kind === 'payout' ? decision.review : decision.reason;
    };
    expect(review('none', 'USD', '500')).toBe(false);
    expect(review('all', 'USD', '12')).toBe(true);
    expect(review('above:50', 'USD', '50')).toBe(false);
    expect(review('above:50', 'USD', '50.01')).toBe(true);
    expect(review('above:USD:50', 'USD', '60')).toBe(true);
    expect(review('above:USD:50', 'USD', '20')).toBe(false);
    // A unit the partner named no amount for is reviewed: when in doubt, hold.
    expect(review('above:USD:50', 'credits', '100')).toBe(true);
  });

  it('reads PAYOUT_REVIEW and names what is wrong with it', () => {
    expect(parseReviewPolicy('none')).toEqual<ReviewPolicy>({ kind: 'none' });
    expect(parseReviewPolicy('all')).toEqual<ReviewPolicy>({ kind: 'all' });
    expect(parseReviewPolicy('above:50')).toEqual<ReviewPolicy>({ kind: 'above', amount: new Decimal(50), byUnit: new Map() });
    expect(parseReviewPolicy('above:')).toEqual(expect.stringContaining('above'));
    expect(parseReviewPolicy('above:-5')).toEqual(expect.stringContaining('unit:amount'));
    expect(parseReviewPolicy('sometimes')).toEqual(expect.stringContaining('none, all'));
  });

  it('writes the review policy as canonical PAYOUT_REVIEW text that reads back as the same policy', () => {
    const canonical = (text: string) => reviewPolicyText(parseReviewPolicy(text) as ReviewPolicy);
    expect(['none', '', 'all', 'above:50.50', 'above:USD:50,EUR:045.0, credits:200'].map(canonical)).toEqual(['none', 'none', 'all', 'above:50.5', 'above:EUR:45,USD:50,credits:200']);
    for (const text of ['none', 'all', 'above:0.5', 'above:USD:50,EUR:45']) {
      const review = parseReviewPolicy(text) as ReviewPolicy;
      expect(parseReviewPolicy(reviewPolicyText(review))).toEqual(review);
    }
    // One amount and amounts per unit together have no text.
    expect(() => reviewPolicyText({ kind: 'above', amount: new Decimal(5), byUnit: new Map([['USD', new Decimal(9)]]) })).toThrow(/either one amount or amounts per unit/);
  });

  it('pays nobody under a security hold until it ends', () => {
    expect(decide(policy('USD:10'), 'USD', '30', '2026-11-21T12:00:01.000Z')).toEqual(expect.objectContaining({ kind: 'none', reason: 'security-hold' }));
    expect(decide(policy('USD:10'), 'USD', '30', '2026-11-21T12:00:00.000Z')).toEqual(expect.objectContaining({ kind: 'payout', review: false }));
    // Below the threshold stays the reason: the hold only matters when a payout was due.
    expect(decide(policy('USD:10'), 'USD', '3', '2026-11-22T00:00:00.000Z')).toEqual(expect.objectContaining({ kind: 'none', reason: 'below-threshold' }));
  });
});
