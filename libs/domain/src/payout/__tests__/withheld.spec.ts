import fc from 'fast-check';
import { Decimal, ZERO } from '../../money/decimal';
import { flaggedHeldOf, spendableOf } from '../spendable';
import { withheldOf } from '../withheld';

const figures = (payable: string, paidOut: string, reserved: string, pendingReversals: string) => ({
  payable: new Decimal(payable), paidOut: new Decimal(paidOut), reserved: new Decimal(reserved), pendingReversals: new Decimal(pendingReversals),
});
const order = (merchantOrderId: string, withheld: string) => ({ source: 'wildfire', merchantId: '42', merchantOrderId, withheld: new Decimal(withheld) });
const shown = (withheld: ReturnType<typeof withheldOf>) => ({
  total: withheld.total.toFixed(),
  reasons: withheld.reasons.map((reason) => ({ ...reason, amount: reason.amount.toFixed() })),
});

describe('withheldOf: why earned money is not spendable', () => {
  it('names the order of a return not settled yet: 30 paid, 18 paid out, -12 pending on the same order', () => {
    expect(shown(withheldOf(figures('30', '18', '0', '-12'), new Decimal(18), [order('o-1', '-12')]))).toEqual({
      total: '12', reasons: [{ reason: 'pending-return', amount: '12', source: 'wildfire', merchantId: '42', merchantOrderId: 'o-1' }],
    });
  });

  it('says a return naming no order is withheld in full', () => {
    expect(shown(withheldOf(figures('30', '0', '0', '-15'), ZERO, [order('o-1', '-5')])).reasons).toEqual([
      { reason: 'pending-return', amount: '5', source: 'wildfire', merchantId: '42', merchantOrderId: 'o-1' },
      { reason: 'pending-return', amount: '10', source: null, merchantId: null, merchantOrderId: null },
    ]);
  });

  it("counts a payout in flight by the larger account: the ledger's hold, or the payout service's payout the ledger has not heard of", () => {
    expect(shown(withheldOf(figures('40', '0', '40', '0'), new Decimal(40), [])).reasons).toEqual([{ reason: 'payout-in-flight', amount: '40' }]);
    expect(shown(withheldOf(figures('40', '0', '0', '0'), new Decimal(40), [])).reasons).toEqual([{ reason: 'payout-in-flight', amount: '40' }]);
  });

  it('splits the payouts in flight into those the partner reviews and those on their way', () => {
    expect(shown(withheldOf(figures('100', '0', '80', '0'), new Decimal(80), [], { inReview: new Decimal(60), flagged: [] })).reasons).toEqual([
      { reason: 'payout-in-review', amount: '60' }, { reason: 'payout-in-flight', amount: '20' },
    ]);
  });

  it('names each commission a fraud check flagged: under review while held, rejected for good', () => {
    const flagged = [
      { source: 'firstpromoter', commissionId: '7', payable: new Decimal(25), decision: 'held' as const },
      { source: 'firstpromoter', commissionId: '8', payable: new Decimal(5), decision: 'rejected' as const },
    ];
    expect(shown(withheldOf(figures('100', '0', '0', '0'), ZERO, [], { inReview: ZERO, flagged }))).toEqual({
      total: '30',
      reasons: [
        { reason: 'commission-under-review', amount: '25', source: 'firstpromoter', commissionId: '7' },
        { reason: 'commission-rejected', amount: '5', source: 'firstpromoter', commissionId: '8' },
      ],
    });
    expect(spendableOf(figures('100', '0', '0', '0'), ZERO, flaggedHeldOf(flagged)).toFixed()).toBe('70');
  });

  it('shows a clawback as uncollected', () => {
    expect(shown(withheldOf(figures('15', '20', '0', '0'), new Decimal(20), []))).toEqual({ total: '5', reasons: [{ reason: 'uncollected', amount: '5' }] });
  });

  it('explains spendable exactly: spendable = max(0, payable - paid out - in flight - pending returns)', () => {
    const money = fc.integer({ min: 0, max: 100_000 }).map((cents) => new Decimal(cents).div(100));
    fc.assert(
      fc.property(money, money, money, money, money, money, money, (payable, paidOut, reserved, reversal, committed, flaggedAmount, inReview) => {
        const ledger = { payable, paidOut, reserved, pendingReversals: reversal.negated() };
        const flagged = [{ source: 'firstpromoter', commissionId: '9', payable: flaggedAmount, decision: 'held' as const }];
        const withheld = withheldOf(ledger, committed, [], { inReview, flagged });
        const heldBack = withheld.reasons.filter((reason) => reason.reason !== 'uncollected').reduce((sum, reason) => sum.plus(reason.amount), ZERO);
        expect(spendableOf(ledger, committed, flaggedHeldOf(flagged)).toFixed()).toBe(Decimal.max(ZERO, payable.minus(paidOut).minus(heldBack)).toFixed());
        expect(withheld.reasons.every((reason) => reason.amount.gt(0))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
