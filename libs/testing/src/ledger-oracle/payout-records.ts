import { decidePayoutEvent, LedgerPayout, PayoutEvent } from '@earnings/domain';
import { BalanceFigures, figuresWith, zeroFigures } from './balance-figures';

/**
 * What a payout adds to its (aui, unit): held while requested or at the provider, paid out once
 * it succeeded, nothing once it failed or came back.
 */
export function payoutContributionOf(payout: LedgerPayout): BalanceFigures {
  switch (payout.state) {
    case 'requested':
    case 'submitted':
      return figuresWith('reserved', payout.amount);
    case 'succeeded':
      return figuresWith('paidOut', payout.amount);
    case 'failed':
    case 'returned':
      return zeroFigures;
    default: {
      const unreachable: never = payout.state;
      throw new Error(`unknown payout state ${String(unreachable)}`);
    }
  }
}

/** Folds payout events into one record per payout id, in any order: what the ledger ends up holding. */
export function payoutRecordsOf(events: Iterable<PayoutEvent>): Map<string, LedgerPayout> {
  const records = new Map<string, LedgerPayout>();
  for (const event of events) {
    const decision = decidePayoutEvent(records.get(event.payoutId), event);
    if (decision.applied) records.set(event.payoutId, decision.payout);
  }
  return records;
}

