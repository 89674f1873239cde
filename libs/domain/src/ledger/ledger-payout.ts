import { PayoutExecuted, PayoutFailed, PayoutRequested, PayoutReturned, PayoutSubmitted } from '@earnings/contracts';
import { Decimal, parseDecimal } from '../money/decimal';

/** What the payout service says about a payout, as the ledger reads it from the payout topics. */
export type PayoutEvent = PayoutRequested | PayoutSubmitted | PayoutExecuted | PayoutFailed | PayoutReturned;

export const LedgerPayoutStates = ['requested', 'submitted', 'succeeded', 'failed', 'returned'] as const;
export type LedgerPayoutState = (typeof LedgerPayoutStates)[number];

/**
 * One payout as the ledger keeps it. Each field is set by one event type only and the state only
 * moves up its rank, so the record is the same whatever order the payout topics arrive in (they
 * are separate topics, read concurrently): a replay always gives the same record.
 */
export interface LedgerPayout {
  payoutId: string;
  aui: string;
  unit: string;
  amount: Decimal;
  method: string;
  state: LedgerPayoutState;
  requestedAt: string | null;
  executedAt: string | null;
  /** When it failed or came back, and the provider's words for it. */
  endedAt: string | null;
  endReason: string | null;
}

export type PayoutDuplicateReason = 'payout-already-applied' | 'contradicts-final-state';

export type PayoutEventDecision = { applied: true; payout: LedgerPayout } | { applied: false; reason: PayoutDuplicateReason };

/** requested -> submitted -> succeeded -> returned, or -> failed; a later step may arrive first. */
const stateRank: Record<LedgerPayoutState, number> = { requested: 1, submitted: 2, succeeded: 3, failed: 3, returned: 4 };

/**
 * What an event does to the stored record of its payout. An event that adds nothing (a replay, a
 * step older than the state) is a named duplicate. Succeeded and failed are both final: one
 * arriving after the other is a provider or programmer error and is never applied.
 */
export function decidePayoutEvent(stored: LedgerPayout | undefined, event: PayoutEvent): PayoutEventDecision {
  const incoming = payoutFromEvent(event);
  if (stored === undefined) return { applied: true, payout: incoming };
  assertSamePayout(stored, incoming);
  const contradicts = stateRank[incoming.state] === stateRank[stored.state] && incoming.state !== stored.state;
  if (contradicts) return { applied: false, reason: 'contradicts-final-state' };
  const merged: LedgerPayout = {
    ...stored,
    state: stateRank[incoming.state] > stateRank[stored.state] ? incoming.state : stored.state,
    requestedAt: stored.requestedAt ?? incoming.requestedAt,
    executedAt: stored.executedAt ?? incoming.executedAt,
    endedAt: stored.endedAt ?? incoming.endedAt,
    endReason: stored.endReason ?? incoming.endReason,
  };
  const changed = merged.state !== stored.state || merged.requestedAt !== stored.requestedAt || merged.executedAt !== stored.executedAt || merged.endedAt !== stored.endedAt;
  return changed ? { applied: true, payout: merged } : { applied: false, reason: 'payout-already-applied' };
}

function payoutFromEvent(event: PayoutEvent): LedgerPayout {
  const amount = parseDecimal(event.amount);
  // The schemas allow only non-negative decimals: anything else is a programmer error upstream.
  if (amount === null || amount.isNegative()) throw new RangeError(`payout ${event.payoutId} has an amount that is not a non-negative decimal`);
  const base = { payoutId: event.payoutId, aui: event.aui, unit: event.unit, amount, method: event.method, requestedAt: null, executedAt: null, endedAt: null, endReason: null };
  switch (event.type) {
    case 'PayoutRequested':
      return { ...base, state: 'requested', requestedAt: event.requestedAt };
    case 'PayoutSubmitted':
      return { ...base, state: 'submitted' };
    case 'PayoutExecuted':
      return { ...base, state: 'succeeded', executedAt: event.executedAt };
    case 'PayoutFailed':
      return { ...base, state: 'failed', endedAt: event.failedAt, endReason: event.reason };
    case 'PayoutReturned':
      return { ...base, state: 'returned', endedAt: event.returnedAt, endReason: event.reason };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown payout event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Two events of one payout id naming another user, unit or amount would move the wrong balance: stop. */
function assertSamePayout(stored: LedgerPayout, incoming: LedgerPayout): void {
  if (stored.aui !== incoming.aui || stored.unit !== incoming.unit || !stored.amount.equals(incoming.amount)) {
    throw new Error(`payout ${stored.payoutId}: events disagree on aui, unit or amount`);
  }
}
