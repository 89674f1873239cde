import { CommissionObserved } from '@earnings/contracts';
import { addToBalance, BalanceEntry } from './balance-figures';
import { BalanceChange, changesOfNewVersion, changesOfPayout } from './balance-changes';
import { commissionKey, decidePayoutEvent, LedgerEvent, PayoutEvent } from '@earnings/domain';
import { decideVersion } from './commission-version';
import { LedgerState } from './ledger-state';

/**
 * The ledger's rules, one event at a time. Pure: the given state is never changed. It copies the
 * maps on every applied event, which is fine for tests and rebuild checks; the projector works
 * a batch at a time through planBatch, which follows the same rules on one working copy.
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
  return { ...state, commissions, balances: withChanges(state.balances, changesOfNewVersion(stored, decision.version)) };
}

function evolvePayout(state: LedgerState, event: PayoutEvent): LedgerState {
  const stored = state.payouts.get(event.payoutId);
  const decision = decidePayoutEvent(stored, event);
  if (!decision.applied) return { ...state, duplicateCount: state.duplicateCount + 1 };
  const payouts = new Map(state.payouts).set(event.payoutId, decision.payout);
  return { ...state, payouts, balances: withChanges(state.balances, changesOfPayout(stored, decision.payout)) };
}

function withChanges(balances: ReadonlyMap<string, BalanceEntry>, changes: BalanceChange[]): ReadonlyMap<string, BalanceEntry> {
  if (changes.length === 0) return balances;
  const changed = new Map(balances);
  for (const change of changes) addToBalance(changed, change.aui, change.unit, change.delta);
  return changed;
}
