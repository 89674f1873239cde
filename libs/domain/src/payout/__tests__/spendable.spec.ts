import fc from 'fast-check';
import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { Decimal } from '../../money/decimal';
import { decidePayout } from '../decide-payout';
import { spendableOf } from '../spendable';

const figures = (payable: string, paidOut: string, reserved: string, pendingReversals: string) => ({
  payable: new Decimal(payable), paidOut: new Decimal(paidOut), reserved: new Decimal(reserved), pendingReversals: new Decimal(pendingReversals),
});

describe('spendableOf: what a payout may take', () => {
  it('withholds a return that has not settled: 30 payable with -12 pending pays 18', () => {
    expect(spendableOf(figures('30', '0', '0', '-12'), new Decimal(0)).toFixed()).toBe('18');
  });

  it('subtracts what was paid out and what is held', () => {
    expect(spendableOf(figures('50', '20', '10', '0'), new Decimal(30)).toFixed()).toBe('20');
  });

  it("covers a payout the ledger has not heard of yet with the payout service's own figure", () => {
    expect(spendableOf(figures('50', '0', '0', '0'), new Decimal(50)).toFixed()).toBe('0');
  });

  it('is never below zero (a clawback or a large pending return)', () => {
    expect(spendableOf(figures('10', '25', '0', '0'), new Decimal(25)).toFixed()).toBe('0');
    expect(spendableOf(figures('10', '0', '0', '-40'), new Decimal(0)).toFixed()).toBe('0');
  });

  it('never exceeds payable net of pending reversals minus everything held or paid, by either account', () => {
    const money = fc.integer({ min: 0, max: 1_000_000 }).map((cents) => new Decimal(cents).div(100));
    fc.assert(
      fc.property(money, money, money, money, money, (payable, paidOut, reserved, reversal, committed) => {
        const ledger = { payable, paidOut, reserved, pendingReversals: reversal.negated() };
        const spendable = spendableOf(ledger, committed);
        expect(spendable.gte(0)).toBe(true);
        expect(spendable.lte(Decimal.max(0, payable.minus(reversal).minus(paidOut).minus(reserved)))).toBe(true);
        expect(spendable.lte(Decimal.max(0, payable.minus(reversal).minus(committed)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decidePayout: unattributed money', () => {
  it('never pays the unattributed owner, whatever it holds', () => {
    const policy = { thresholds: new Map([['USD', new Decimal(10)]]), fractionDigitsByUnit: new Map<string, number>() };
    const decision = decidePayout({ aui: UNATTRIBUTED_AUI, unit: 'USD', spendable: new Decimal(500) }, policy, new Date('2026-11-29T00:00:00Z'));
    expect(decision).toEqual(expect.objectContaining({ kind: 'none', reason: 'unattributed' }));
  });
});
