/**
 * A payout's life. `requested` and `submitted` hold the funds (the reservation); `succeeded` and
 * `failed` are final: the money left, or the reservation is released.
 */
export const PayoutStates = ['requested', 'submitted', 'succeeded', 'failed'] as const;
export type PayoutState = (typeof PayoutStates)[number];

/** What a provider (or the service itself) said about a payout. */
export type PayoutProgress =
  | { type: 'ProviderAccepted'; providerReference: string | null }
  | { type: 'ProviderSucceeded'; providerReference: string | null }
  | { type: 'ProviderFailed'; reason: string };

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
      return false;
    case 'succeeded':
    case 'failed':
      return true;
    default: {
      const unreachable: never = state;
      throw new Error(`unknown payout state ${String(unreachable)}`);
    }
  }
}

/** True while the payout holds funds back from later runs. */
export function holdsReservation(state: PayoutState): boolean {
  return !isFinalPayoutState(state);
}

/** The pure transition function: requested → submitted → succeeded | failed (submitted may be skipped). */
export function transitionPayout(state: PayoutState, progress: PayoutProgress): PayoutTransition {
  if (isFinalPayoutState(state)) {
    const same = (state === 'succeeded' && progress.type === 'ProviderSucceeded') || (state === 'failed' && progress.type === 'ProviderFailed');
    return same ? { changed: false, reason: 'already-in-state' } : { changed: false, reason: 'final-state' };
  }
  switch (progress.type) {
    case 'ProviderAccepted':
      return state === 'submitted' ? { changed: false, reason: 'already-in-state' } : { changed: true, state: 'submitted' };
    case 'ProviderSucceeded':
      return { changed: true, state: 'succeeded' };
    case 'ProviderFailed':
      return { changed: true, state: 'failed' };
    default: {
      const unreachable: never = progress;
      throw new Error(`unknown payout progress ${JSON.stringify(unreachable)}`);
    }
  }
}
