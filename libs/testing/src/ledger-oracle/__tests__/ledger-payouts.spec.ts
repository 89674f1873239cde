import fc from 'fast-check';
import { coverageOf, PayoutEvent } from '@earnings/domain';
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

describe('coverageOf: what the ledger records a payout covered', () => {
  const executedCovering = (covered: { source: string; commissionId: string; amount?: string }[]) => ({ ...payout({ payoutId: 'p-1', amount: '18' }), coveredCommissions: covered });

  it("records the event's list in its order, negative amounts included", () => {
    const rows = coverageOf(executedCovering([{ source: 'wildfire', commissionId: 'purchase', amount: '30' }, { source: 'wildfire', commissionId: 'return', amount: '-12' }]));
    expect(rows.map((row) => [row.position, row.commissionId, row.amount.toFixed(), row.aui, row.unit])).toEqual([[0, 'purchase', '30', 'aui-1', 'USD'], [1, 'return', '-12', 'aui-1', 'USD']]);
  });

  it('skips commissions an older event listed without an amount, and sums one listed twice', () => {
    const rows = coverageOf(executedCovering([
      { source: 'firstpromoter', commissionId: '7' }, { source: 'wildfire', commissionId: 'a', amount: '10' }, { source: 'wildfire', commissionId: 'a', amount: '8' },
    ]));
    expect(rows.map((row) => [row.position, row.commissionId, row.amount.toFixed()])).toEqual([[0, 'a', '18']]);
  });
});
