import {
  availableOf,
  balanceOf,
  contributionOf,
  evolve,
  initialLedgerState,
  versionFromObservation,
  zeroFigures,
} from '..';
import { commissionKey } from '@earnings/domain';
import { given, modifiedAt, observation, payout } from './ledger-test-support';

describe('the ledger: merchants report returns three ways, balances come out right', () => {
  it('order level: a return changes the same commission, and the latest amount replaces the earlier one', () => {
    given(observation({ commissionId: 'order-1', userAmount: '12.50000', modifiedDate: modifiedAt(0) }))
      .when(observation({ commissionId: 'order-1', userAmount: '7.25125', modifiedDate: modifiedAt(1) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '7.25125', pending: '7.25125', available: '0' });
  });

  it('item level: a return is a new commission with a negative amount, and it reduces the totals', () => {
    given(observation({ commissionId: 'item-1', userAmount: '2.88475' }), observation({ commissionId: 'item-2', userAmount: '1.5' }))
      .when(observation({ commissionId: 'item-2-return', userAmount: '-1.5' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '2.88475', pending: '2.88475' });
  });

  it('mixed: the order as one record, the return as a separate negative record', () => {
    given(observation({ commissionId: 'order-1', userAmount: '20', state: 'PAYABLE', sourceStatus: 'paid' }))
      .when(observation({ commissionId: 'order-1-return', userAmount: '-5.00001', state: 'PAYABLE', sourceStatus: 'paid' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '14.99999', pending: '0', payable: '14.99999', available: '14.99999' });
  });
});

describe('the ledger: states', () => {
  it('a paid device split counts as paid by the network and is never available', () => {
    given(observation({ userAmount: '3.2', paidByNetwork: true, modifiedDate: modifiedAt(0) }))
      .when(observation({ userAmount: '3.2', paidByNetwork: true, state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(1) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '3.2', pending: '0', payable: '0', paidByNetwork: '3.2', available: '0' });
  });

  it('a device split still pending counts as pending, like any other', () => {
    given()
      .when(observation({ userAmount: '3.2', paidByNetwork: true, state: 'READY', sourceStatus: 'ready' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '3.2', pending: '3.2', paidByNetwork: '0' });
  });

  it('a rejected commission counts nowhere, and a balance it leaves at zero disappears', () => {
    const state = given(observation({ userAmount: '10', modifiedDate: modifiedAt(0) }))
      .when(observation({ userAmount: '10', state: 'REJECTED', sourceStatus: 'disqualified', modifiedDate: modifiedAt(1) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '0', pending: '0', payable: '0', available: '0' });
    expect(state.balances.size).toBe(0);
    expect(contributionOf(versionFromObservation(observation({ state: 'REJECTED' })))).toEqual(zeroFigures);
  });

  it('a newer version that moves the commission to another user and unit moves its contribution', () => {
    given(observation({ aui: 'aui-1', unit: 'USD', userAmount: '10', modifiedDate: modifiedAt(0) }))
      .when(observation({ aui: 'aui-2', unit: 'EUR', userAmount: '9.5', state: 'PAYABLE', modifiedDate: modifiedAt(1) }))
      .then(
        { aui: 'aui-1', unit: 'USD', lifetime: '0', pending: '0' },
        { aui: 'aui-2', unit: 'EUR', lifetime: '9.5', payable: '9.5', available: '9.5' },
      );
  });

  it('keeps balances per unit: credits never mix with dollars', () => {
    given(observation({ commissionId: 'fp-1', source: 'firstpromoter', unit: 'credits', userAmount: '20' }))
      .when(observation({ commissionId: 'wf-1', unit: 'USD', userAmount: '1' }))
      .then({ aui: 'aui-1', unit: 'credits', lifetime: '20' }, { aui: 'aui-1', unit: 'USD', lifetime: '1' });
  });

  it('tells the same commission id from two sources apart', () => {
    given(observation({ source: 'wildfire', commissionId: '42', userAmount: '1' }))
      .when(observation({ source: 'firstpromoter', commissionId: '42', userAmount: '2' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '3' });
  });
});

describe('the ledger: dedupe by modified time', () => {
  it('an observation with an equal modified date is a duplicate, whatever it says', () => {
    const state = given(observation({ userAmount: '10', modifiedDate: modifiedAt(5) }))
      .when(observation({ userAmount: '99', observationId: 'resent', modifiedDate: modifiedAt(5) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '10' });
    expect(state.duplicateCount).toBe(1);
  });

  it('an older observation arriving late is stale and changes nothing', () => {
    const state = given(observation({ userAmount: '7', modifiedDate: modifiedAt(10) }))
      .when(observation({ userAmount: '12', modifiedDate: modifiedAt(9) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '7' });
    expect(state.duplicateCount).toBe(1);
    expect(state.commissions.get(commissionKey('wildfire', 'c1'))?.modifiedDate).toBe(modifiedAt(10));
  });

  it('one microsecond newer applies, which a millisecond Date would call equal', () => {
    given(observation({ userAmount: '7', modifiedDate: '2023-03-07T02:57:58.525100Z' }))
      .when(observation({ userAmount: '8', modifiedDate: '2023-03-07T02:57:58.525101Z' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '8' });
  });

  it('counts an equal or older version as a duplicate, and keeps the first of the newest', () => {
    const state = given(observation({ observationId: 'first', modifiedDate: modifiedAt(2) }))
      .when(observation({ observationId: 'again', userAmount: '99', modifiedDate: modifiedAt(2) }), observation({ observationId: 'late', userAmount: '77', modifiedDate: modifiedAt(1) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '10' });
    expect(state.duplicateCount).toBe(2);
    expect([...state.commissions.values()].map((version) => version.observationId)).toEqual(['first']);
  });

  it('a version with a non-canonical modified date is stored canonical', () => {
    const version = versionFromObservation({ ...observation(), modifiedDate: '2023-03-07T02:57:58.5251Z' });
    expect(version.modifiedDate).toBe('2023-03-07T02:57:58.525100Z');
    expect(version.userAmount.toFixed()).toBe('10');
  });

  it('refuses an amount that is not a decimal: the schema check upstream was skipped', () => {
    expect(() => versionFromObservation({ ...observation(), userAmount: '1e3' })).toThrow(RangeError);
  });
});

describe('the ledger: payouts', () => {
  const payable = observation({ userAmount: '30', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(0) });

  it('a payout reduces available and is applied once, however often it is replayed', () => {
    const state = given(payable)
      .when(payout({ payoutId: 'p-1', amount: '25.5' }), payout({ payoutId: 'p-1', amount: '25.5' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '30', payable: '30', paidOut: '25.5', available: '4.5' });
    expect(state.duplicateCount).toBe(1);
    expect([...state.payouts.keys()]).toEqual(['p-1']);
  });

  it('a return after a payout leaves available negative: a clawback the next earnings offset', () => {
    const state = given(payable, payout({ payoutId: 'p-1', amount: '30' }))
      .when(observation({ userAmount: '10', state: 'PAYABLE', sourceStatus: 'paid', modifiedDate: modifiedAt(1) }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '10', payable: '10', paidOut: '30', available: '-20' });
    expect(availableOf(balanceOf(state.balances, 'aui-1', 'USD')).isNegative()).toBe(true);
  });

  it('an item-level return after a payout does the same', () => {
    given(payable, payout({ payoutId: 'p-1', amount: '30' }))
      .when(observation({ commissionId: 'c1-return', userAmount: '-30', state: 'PAYABLE', sourceStatus: 'paid' }))
      .then({ aui: 'aui-1', unit: 'USD', lifetime: '0', payable: '0', paidOut: '30', available: '-30' });
  });

  it('refuses a negative payout amount: it would be a deposit the schema forbids', () => {
    expect(() => evolve(initialLedgerState, payout({ amount: '-1' }))).toThrow(RangeError);
  });
});
