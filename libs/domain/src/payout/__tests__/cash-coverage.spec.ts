import fc from 'fast-check';
import { Decimal, ZERO } from '../../money/decimal';
import { compareCommissionIds, coverCashPayout, OutstandingCommission } from '../cash-coverage';

const commission = (commissionId: string, outstanding: string, occurredAt: string | null = null, orderKey: string | null = null): OutstandingCommission => ({
  source: 'wildfire', commissionId, orderKey, occurredAt, outstanding: new Decimal(outstanding),
});

/** given the user's commissions, when a payout of `amount` is covered, then these (commission id, amount) pairs. */
const given = (commissions: OutstandingCommission[]) => ({
  when: (amount: string) => {
    const coverage = coverCashPayout(commissions, new Decimal(amount));
    return {
      then: (expected: [string, string][]) => {
        if (coverage.kind !== 'covered') throw new Error(`expected coverage, got ${JSON.stringify(coverage)}`);
        expect(coverage.covered.map((entry) => [entry.commissionId, entry.amount.toFixed()])).toEqual(expected);
      },
      thenShort: (owed: string) => expect(coverage).toEqual({ kind: 'short', owed: new Decimal(owed) }),
    };
  },
});

describe('coverCashPayout: what a cash payout covers, decided once', () => {
  it('covers the oldest purchase first, the last one in part', () => {
    given([commission('b', '15', '2026-01-02T00:00:00Z'), commission('a', '10', '2026-01-01T00:00:00Z'), commission('c', '5', '2026-01-03T00:00:00Z')])
      .when('20').then([['a', '10'], ['b', '10']]);
  });

  it('covers a purchase netted by its settled return in full, beside the return: no purchase stays "partly paid"', () => {
    given([commission('purchase', '30', '2026-01-01T00:00:00Z', 'o-1'), commission('return', '-12', '2026-01-05T00:00:00Z', 'o-1')])
      .when('18').then([['purchase', '30'], ['return', '-12']]);
  });

  it('settles a clawback (paid before, reversed since) with the next payout', () => {
    // "old" was covered 30 by an earlier payout and is payable 18 today; "new" is owed 20; the ledger lets 8 go.
    given([commission('old', '-12', '2026-01-01T00:00:00Z'), commission('new', '20', '2026-02-01T00:00:00Z')])
      .when('8').then([['old', '-12'], ['new', '20']]);
  });

  it('covers an order in part with its returns in full and its purchases oldest first', () => {
    given([
      commission('first', '10', '2026-01-01T00:00:00Z', 'o-1'), commission('second', '10', '2026-01-02T00:00:00Z', 'o-1'),
      commission('return', '-5', '2026-01-03T00:00:00Z', 'o-1'),
    ]).when('8').then([['return', '-5'], ['first', '10'], ['second', '3']]);
  });

  it('orders by when a commission happened (a reward without an event date: when the ledger first saw it), ids as numbers in a tie', () => {
    given([commission('20', '5', '2026-02-02T00:00:00Z'), commission('100', '5', '2026-02-01T00:00:00Z'), commission('3', '5', '2026-03-01T00:00:00Z')])
      .when('15').then([['100', '5'], ['20', '5'], ['3', '5']]);
    given([commission('100', '5'), commission('20', '5')]).when('10').then([['20', '5'], ['100', '5']]);
    expect(['100', '20', '3', '020', 'b', 'a'].sort(compareCommissionIds)).toEqual(['3', '020', '20', '100', 'a', 'b']);
  });

  it('covers nothing when the commissions owe less than the amount (the ledger moved since the figures were read)', () => {
    given([commission('a', '10', '2026-01-01T00:00:00Z'), commission('b', '-4', '2026-01-02T00:00:00Z')]).when('7').thenShort('6');
  });

  it('always adds up to the amount, covers no more than owed, and settles every negative amount of a whole order', () => {
    const money = fc.integer({ min: -3_000, max: 6_000 }).map((cents) => new Decimal(cents).div(100));
    const commissions = fc.array(fc.record({ id: fc.nat(50), order: fc.option(fc.nat(4)), day: fc.option(fc.integer({ min: 1, max: 28 })), outstanding: money }), { maxLength: 12 })
      .map((rows) => [...new Map(rows.map((row) => [row.id, row])).values()].map((row) => commission(String(row.id), row.outstanding.toFixed(), row.day === null ? null : `2026-01-${String(row.day).padStart(2, '0')}T00:00:00Z`, row.order === null ? null : `o-${row.order}`)));
    fc.assert(
      fc.property(commissions, fc.integer({ min: 1, max: 20_000 }), (rows, amountCents) => {
        const amount = new Decimal(amountCents).div(100);
        const owed = rows.reduce((sum, row) => sum.plus(row.outstanding), ZERO);
        const coverage = coverCashPayout(rows, amount);
        if (owed.lt(amount)) return expect(coverage.kind).toBe('short');
        if (coverage.kind !== 'covered') throw new Error('expected coverage');
        expect(coverage.covered.reduce((sum, entry) => sum.plus(entry.amount), ZERO).toFixed()).toBe(amount.toFixed());
        const byId = new Map(rows.map((row) => [row.commissionId, row.outstanding]));
        for (const entry of coverage.covered) {
          const outstanding = byId.get(entry.commissionId)!;
          expect(entry.amount.isZero()).toBe(false);
          // A positive amount is covered up to what it is owed; a negative one always in full.
          if (outstanding.isNegative()) expect(entry.amount.toFixed()).toBe(outstanding.toFixed());
          else expect(entry.amount.gt(0) && entry.amount.lte(outstanding)).toBe(true);
        }
        expect(new Set(coverage.covered.map((entry) => entry.commissionId)).size).toBe(coverage.covered.length);
      }),
      { numRuns: 500 },
    );
  });
});
