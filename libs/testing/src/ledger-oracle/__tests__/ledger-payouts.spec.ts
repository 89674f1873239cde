import fc from 'fast-check';
import { allocatePayouts, Decimal, PayoutEvent } from '@earnings/domain';
import { balanceOf, evolve, figuresToStrings, initialLedgerState } from '..';
import { given, modifiedAt, observation, payout } from './ledger-test-support';

const base = { schemaVersion: 1 as const, payoutId: 'p-1', aui: 'aui-1', unit: 'USD', amount: '20', method: 'paypal' };
const requested: PayoutEvent = { ...base, type: 'PayoutRequested', requestedAt: '2026-03-08T00:00:00Z' };
const submitted: PayoutEvent = { ...base, type: 'PayoutSubmitted', submittedAt: '2026-03-08T00:01:00Z' };
const executed = payout({ payoutId: 'p-1', amount: '20' });
const failed: PayoutEvent = { ...base, type: 'PayoutFailed', reason: 'DENIED', failedAt: '2026-03-08T00:02:00Z' };
const returned: PayoutEvent = { ...base, type: 'PayoutReturned', reason: 'RETURNED', returnedAt: '2026-04-08T00:00:00Z' };
const payable30 = observation({ userAmount: '30', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(0) });

describe('the ledger: payout holds, releases and returns', () => {
  it('a requested payout is held at once: available drops, reserved rises', () => {
    given(payable30).when(requested).then({ aui: 'aui-1', unit: 'USD', payable: '30', reserved: '20', paidOut: '0', available: '10' });
  });

  it('still held while at the provider; paid out once it succeeds', () => {
    given(payable30).when(requested, submitted).then({ aui: 'aui-1', unit: 'USD', reserved: '20', available: '10' });
    given(payable30).when(requested, submitted, executed).then({ aui: 'aui-1', unit: 'USD', reserved: '0', paidOut: '20', available: '10' });
  });

  it('a failed payout releases its hold', () => {
    given(payable30).when(requested, failed).then({ aui: 'aui-1', unit: 'USD', reserved: '0', paidOut: '0', available: '30' });
  });

  it('a payout returned after success is no longer paid out: available comes back', () => {
    const state = given(payable30).when(requested, executed, returned).then({ aui: 'aui-1', unit: 'USD', reserved: '0', paidOut: '0', available: '30' });
    expect(state.payouts.get('p-1')).toEqual(expect.objectContaining({ state: 'returned', endReason: 'RETURNED', executedAt: '2026-03-08T00:00:00Z' }));
  });

  it('a late or repeated step changes nothing and is a named duplicate', () => {
    const state = given(payable30).when(requested, executed, submitted, executed, requested).then({ aui: 'aui-1', unit: 'USD', paidOut: '20', reserved: '0' });
    expect(state.duplicateCount).toBe(3);
  });

  it('succeeded and failed are both final: the second never applies', () => {
    const state = given(payable30).when(requested, executed, failed).then({ aui: 'aui-1', unit: 'USD', paidOut: '20' });
    expect(state.payouts.get('p-1')?.state).toBe('succeeded');
  });

  it('any order of the payout topics gives the same record and balance', () => {
    const lifecycles = [[requested, submitted, executed, returned], [requested, submitted, failed]];
    fc.assert(
      fc.property(fc.constantFrom(...lifecycles), fc.infiniteStream(fc.nat()), (events, randomness) => {
        const shuffled = [...events].sort(() => (randomness.next().value % 3) - 1);
        const inOrder = [payable30, ...events].reduce(evolve, initialLedgerState);
        const anyOrder = [payable30, ...shuffled].reduce(evolve, initialLedgerState);
        expect(anyOrder.payouts).toEqual(inOrder.payouts);
        expect(figuresToStrings(balanceOf(anyOrder.balances, 'aui-1', 'USD'))).toEqual(figuresToStrings(balanceOf(inOrder.balances, 'aui-1', 'USD')));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the ledger: known reversals that have not settled', () => {
  it('a pending return of an order withholds what the order made payable, and no more', () => {
    // Paid 30.00 of one order with a return of 12.00 still pending: 12 withheld, 18 may be paid.
    given(
      observation({ commissionId: 'purchase', merchantId: 'm1', merchantOrderId: 'o1', userAmount: '30', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(0) }),
      observation({ commissionId: 'return', merchantId: 'm1', merchantOrderId: 'o1', userAmount: '-12', modifiedDate: modifiedAt(1) }),
    ).when().then({ aui: 'aui-1', unit: 'USD', payable: '30', pendingReversals: '-12', available: '30' });
  });

  it('a pending return of an order whose purchase is still pending withholds nothing from other orders', () => {
    // Paid 20 (order o1); then 10 pending and its return -10 pending (order o2): o2 made nothing payable, 20 may be paid.
    given(
      observation({ commissionId: 'paid', merchantId: 'm1', merchantOrderId: 'o1', userAmount: '20', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(0) }),
      observation({ commissionId: 'pending', merchantId: 'm1', merchantOrderId: 'o2', userAmount: '10', modifiedDate: modifiedAt(1) }),
      observation({ commissionId: 'pending-return', merchantId: 'm1', merchantOrderId: 'o2', userAmount: '-10', modifiedDate: modifiedAt(2) }),
    ).when().then({ aui: 'aui-1', unit: 'USD', payable: '20', pending: '0', pendingReversals: '0' });
  });

  it('a pending return that names no order withholds in full', () => {
    given(
      observation({ commissionId: 'paid', merchantOrderId: 'o1', userAmount: '20', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(0) }),
      observation({ commissionId: 'orphan-return', userAmount: '-5', modifiedDate: modifiedAt(1) }),
    ).when().then({ aui: 'aui-1', unit: 'USD', pendingReversals: '-5' });
  });

  it('a pending return is counted in pendingReversals until it settles', () => {
    const itemReturn = observation({ commissionId: 'return-1', userAmount: '-12', state: 'PENDING', modifiedDate: modifiedAt(1) });
    given(payable30).when(itemReturn).then({ aui: 'aui-1', unit: 'USD', payable: '30', pending: '-12', pendingReversals: '-12', available: '30' });
    const settled = observation({ commissionId: 'return-1', userAmount: '-12', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(2) });
    given(payable30, itemReturn).when(settled).then({ aui: 'aui-1', unit: 'USD', payable: '18', pending: '0', pendingReversals: '0', available: '18' });
  });

  it('a positive pending amount is not a reversal', () => {
    given().when(observation({ userAmount: '5' })).then({ aui: 'aui-1', unit: 'USD', pending: '5', pendingReversals: '0' });
  });
});

describe('allocatePayouts: which payout covered which commission', () => {
  const commission = (commissionId: string, amount: string, eventDate: string | null) => ({ source: 'wildfire', commissionId, unit: 'USD', amount: new Decimal(amount), eventDate });
  const paid = (payoutId: string, amount: string, executedAt: string) => ({ payoutId, unit: 'USD', amount: new Decimal(amount), executedAt });

  it('covers the oldest commissions first, splitting one between payouts', () => {
    const allocation = allocatePayouts(
      [commission('late', '10', '2026-02-01T00:00:00Z'), commission('early', '15', '2026-01-01T00:00:00Z'), commission('undated', '5', null)],
      [paid('p-2', '12', '2026-03-02T00:00:00Z'), paid('p-1', '10', '2026-03-01T00:00:00Z')],
    );
    expect(Object.fromEntries([...allocation.byPayout].map(([id, covered]) => [id, covered.map((item) => `${item.commissionId}:${item.amount.toFixed()}`)]))).toEqual({
      'p-1': ['early:10'],
      'p-2': ['early:5', 'late:7'],
    });
    expect(Object.fromEntries([...allocation.byCommission].map(([key, item]) => [JSON.parse(key)[1], [item.paidOut.toFixed(), item.payoutIds]]))).toEqual({
      early: ['15', ['p-1', 'p-2']],
      late: ['7', ['p-2']],
    });
    expect(allocation.uncollectedByUnit.size).toBe(0);
  });

  it('shows a clawback as uncollected, and covers negative (returned) commissions with nothing', () => {
    const allocation = allocatePayouts([commission('bought', '20', '2026-01-01T00:00:00Z'), commission('returned', '-5', '2026-01-02T00:00:00Z')], [paid('p-1', '25', '2026-03-01T00:00:00Z')]);
    expect(allocation.byPayout.get('p-1')?.map((item) => item.amount.toFixed())).toEqual(['20']);
    expect(allocation.uncollectedByUnit.get('USD')?.toFixed()).toBe('5');
  });

  it('never covers more than a commission is worth nor more than a payout paid', () => {
    const amount = fc.integer({ min: -5_000, max: 50_000 }).map((cents) => new Decimal(cents).div(100));
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 12 }), fc.array(amount.filter((value) => value.gt(0)), { maxLength: 6 }), (commissionAmounts, payoutAmounts) => {
        const commissions = commissionAmounts.map((value, index) => commission(`c${index}`, value.toFixed(), `2026-01-${String((index % 28) + 1).padStart(2, '0')}T00:00:00Z`));
        const payouts = payoutAmounts.map((value, index) => paid(`p${index}`, value.toFixed(), `2026-03-${String(index + 1).padStart(2, '0')}T00:00:00Z`));
        const allocation = allocatePayouts(commissions, payouts);
        for (const item of commissions) {
          const covered = allocation.byCommission.get(JSON.stringify(['wildfire', item.commissionId]))?.paidOut ?? new Decimal(0);
          expect(covered.lte(Decimal.max(item.amount, 0))).toBe(true);
        }
        const totalPaid = payouts.reduce((sum, item) => sum.plus(item.amount), new Decimal(0));
        const totalCovered = [...allocation.byPayout.values()].flat().reduce((sum, item) => sum.plus(item.amount), new Decimal(0));
        expect(totalCovered.plus(allocation.uncollectedByUnit.get('USD') ?? 0).equals(totalPaid)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
