/**
 * A payout's life. `requested` and `submitted` hold the funds (the reservation). `succeeded` means
 * the money reached the user; it can still come back (`returned`: a PayPal item RETURNED, REFUNDED,
 * REVERSED, BLOCKED or FAILED after success, a cancelled gift card, a reward delivery the partner
 * took back), after which the funds are the user's to be paid again. `failed` and `returned` are final.
 */
export const PayoutStates = ['requested', 'submitted', 'succeeded', 'failed', 'returned'] as const;
export type PayoutState = (typeof PayoutStates)[number];

/** What a provider (or the partner, for a reward) said about a payout. */
export type PayoutProgress =
  | { type: 'ProviderAccepted'; providerReference: string | null }
  | { type: 'ProviderSucceeded'; providerReference: string | null }
  /** The money did not reach the user: before success the payout failed; after success it came back (a return). */
  | { type: 'ProviderFailed'; reason: string }
  /** The money came back: a return after success, or before it ever succeeded (then it simply failed). */
  | { type: 'ProviderReturned'; reason: string };

export type PayoutTransition =
  | { changed: true; state: PayoutState }
  /** The progress is already reflected (a repeated answer): a named normal outcome. */
  | { changed: false; reason: 'already-in-state' }
  /** The progress contradicts a final state: a programmer or provider error, never applied. */
  | { changed: false; reason: 'final-state' };

export function isFinalPayoutState(state: PayoutState): boolean {
  switch (state) {
    case 'requested':
    case 'submitted':
    case 'succeeded':
      return false;
    case 'failed':
    case 'returned':
      return true;
    default: {
      const unreachable: never = state;
      throw new Error(`unknown payout state ${String(unreachable)}`);
    }
  }
}

/** True while the payout holds funds back from later runs. */
export function holdsReservation(state: PayoutState): boolean {
  return state === 'requested' || state === 'submitted';
}

/**
 * The pure transition function: requested → submitted → succeeded → returned, or → failed
 * (submitted may be skipped). A succeeded payout only moves to returned (the provider says the
 * money came back, or failed after all); anything else said of it is a repeated answer, never a
 * second payment or a silent release.
 */
export function transitionPayout(state: PayoutState, progress: PayoutProgress): PayoutTransition {
  if (isFinalPayoutState(state)) {
    const same = (state === 'failed' && progress.type === 'ProviderFailed') || (state === 'returned' && progress.type === 'ProviderReturned');
    return same ? { changed: false, reason: 'already-in-state' } : { changed: false, reason: 'final-state' };
  }
  if (state === 'succeeded') return transitionSucceeded(progress);
  switch (progress.type) {
    case 'ProviderAccepted':
      return state === 'submitted' ? { changed: false, reason: 'already-in-state' } : { changed: true, state: 'submitted' };
    case 'ProviderSucceeded':
      return { changed: true, state: 'succeeded' };
    case 'ProviderFailed':
    case 'ProviderReturned':
      return { changed: true, state: 'failed' };
    default: {
      const unreachable: never = progress;
      throw new Error(`unknown payout progress ${JSON.stringify(unreachable)}`);
    }
  }
}

function transitionSucceeded(progress: PayoutProgress): PayoutTransition {
  switch (progress.type) {
    // PayPal moves an item that succeeded to RETURNED, REFUNDED, REVERSED, BLOCKED or FAILED: the ledger counted it paid, and it is not.
    case 'ProviderReturned':
    case 'ProviderFailed':
      return { changed: true, state: 'returned' };
    case 'ProviderSucceeded':
    case 'ProviderAccepted':
      return { changed: false, reason: 'already-in-state' };
    default: {
      const unreachable: never = progress;
      throw new Error(`unknown payout progress ${JSON.stringify(unreachable)}`);
    }
  }
}
