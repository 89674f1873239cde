import { WaitingTransaction } from '../graphql/types';
import { expectedSettlement } from '../waiting';

const pending = (fields: Partial<WaitingTransaction>): WaitingTransaction => ({
  source: 'wildfire', state: 'PENDING', amount: '1', unit: 'USD', eventDate: null, lockingDate: null, statusExplanation: 'Pending', ...fields,
});

describe('expectedSettlement: when pending money should stop waiting', () => {
  it("takes the source's locking date where it sent one, the latest of them", () => {
    expect(expectedSettlement([pending({ lockingDate: '2026-12-15T00:00:00.000000Z' }), pending({ lockingDate: '2026-12-01T00:00:00.000000Z' })]))
      .toEqual({ at: '2026-12-15T00:00:00.000000Z', fromLockingDate: true });
  });

  it("estimates a store's 30-day return window from the purchase date otherwise, and says it is an estimate", () => {
    expect(expectedSettlement([pending({ eventDate: '2026-11-10T10:00:00.000000Z' }), pending({ lockingDate: '2026-11-20T00:00:00.000000Z' })]))
      .toEqual({ at: '2026-12-10T10:00:00.000Z', fromLockingDate: false });
  });

  it('has no date for a referral awaiting approval, or without any date', () => {
    expect(expectedSettlement([pending({ source: 'firstpromoter', eventDate: '2026-11-10T10:00:00.000000Z' }), pending({})])).toBeNull();
  });
});
