import { CommissionObserved } from '@earnings/contracts';
import { balancesOf } from './recompute-balances';
import { commissionKey, decidePayoutEvent, LedgerEvent, PayoutEvent } from '@earnings/domain';
import { decideVersion } from './commission-version';
import { LedgerState } from './ledger-state';

/**
 * The ledger's rules, one event at a time. Pure: the given state is never changed. It copies the
 * maps and recomputes every balance on every applied event: slow on purpose, an oracle for the
 * tests, never a service's path (the services apply the rule in PostgreSQL).
 */
export function evolve(state: LedgerState, event: LedgerEvent): LedgerState {
  switch (event.type) {
    case 'CommissionObserved':
      return evolveObservation(state, event);
    case 'PayoutRequested':
    case 'PayoutSubmitted':
    case 'PayoutExecuted':
    case 'PayoutFailed':
    case 'PayoutReturned':
      return evolvePayout(state, event);
    default: {
      const unreachable: never = event;
      throw new Error(`unknown ledger event ${JSON.stringify(unreachable)}`);
    }
  }
}

function evolveObservation(state: LedgerState, observation: CommissionObserved): LedgerState {
  const key = commissionKey(observation.source, observation.commissionId);
  const stored = state.commissions.get(key);
  const decision = decideVersion(stored, observation);
  if (!decision.applied) return { ...state, duplicateCount: state.duplicateCount + 1 };
  const commissions = new Map(state.commissions).set(key, decision.version);
  return { ...state, commissions, balances: balancesOf(commissions.values(), state.payouts.values()) };
}

function evolvePayout(state: LedgerState, event: PayoutEvent): LedgerState {
  const stored = state.payouts.get(event.payoutId);
  const decision = decidePayoutEvent(stored, event);
  if (!decision.applied) return { ...state, duplicateCount: state.duplicateCount + 1 };
  const payouts = new Map(state.payouts).set(event.payoutId, decision.payout);
  return { ...state, payouts, balances: balancesOf(state.commissions.values(), payouts.values()) };
}
