import { holdsReservation, PayoutProgress, PayoutState, transitionPayout } from '../payout-state';

const accepted: PayoutProgress = { type: 'ProviderAccepted', providerReference: 'batch-1' };
const succeeded: PayoutProgress = { type: 'ProviderSucceeded', providerReference: 'batch-1' };
const failed: PayoutProgress = { type: 'ProviderFailed', reason: 'DENIED' };
const returned: PayoutProgress = { type: 'ProviderReturned', reason: 'paypal item RETURNED' };

/** given a state, when progress arrives, then the transition. */
const given = (state: PayoutState) => ({ when: (progress: PayoutProgress) => ({ then: (expected: unknown) => expect(transitionPayout(state, progress)).toEqual(expected) }) });

describe('the payout state machine', () => {
  it('requested → submitted when the provider accepts', () => given('requested').when(accepted).then({ changed: true, state: 'submitted' }));
  it('submitted → succeeded', () => given('submitted').when(succeeded).then({ changed: true, state: 'succeeded' }));
  it('submitted → failed', () => given('submitted').when(failed).then({ changed: true, state: 'failed' }));
  it('requested → succeeded directly (an internal credit)', () => given('requested').when(succeeded).then({ changed: true, state: 'succeeded' }));
  it('a repeated acceptance is a named no-op', () => given('submitted').when(accepted).then({ changed: false, reason: 'already-in-state' }));
  it('a repeated success is a named no-op', () => given('succeeded').when(succeeded).then({ changed: false, reason: 'already-in-state' }));
  it('never leaves a final state', () => {
    given('failed').when(succeeded).then({ changed: false, reason: 'final-state' });
    given('failed').when(accepted).then({ changed: false, reason: 'final-state' });
  });
  it('succeeded → returned when the money comes back; returned is final', () => {
    given('succeeded').when(returned).then({ changed: true, state: 'returned' });
    given('returned').when(returned).then({ changed: false, reason: 'already-in-state' });
    given('returned').when(succeeded).then({ changed: false, reason: 'final-state' });
  });
  it('a failure after success is a return: the ledger counted the money paid, and it is not (a PayPal item FAILED after SUCCESS)', () =>
    given('succeeded').when(failed).then({ changed: true, state: 'returned' }));
  it('money that came back before success was never paid: the payout failed', () => given('submitted').when(returned).then({ changed: true, state: 'failed' }));
  it('holds the reservation only while in flight', () => {
    expect(['requested', 'submitted', 'succeeded', 'failed', 'returned'].map((state) => holdsReservation(state as PayoutState))).toEqual([true, true, false, false, false]);
  });
});
