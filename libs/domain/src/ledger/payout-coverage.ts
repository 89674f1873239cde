import { PayoutExecuted } from '@earnings/contracts';
import { Decimal, parseDecimal } from '../money/decimal';

/** One commission a payout covered, as the ledger records it: written once, never rewritten. */
export interface PayoutCoverageRecord {
  payoutId: string;
  /** The commission's place in the event's list (the run's order). */
  position: number;
  aui: string;
  unit: string;
  source: string;
  commissionId: string;
  amount: Decimal;
}

/**
 * What a PayoutExecuted says its payout covered, as rows: the commissions it lists with an amount
 * (events written before amounts were added list none), a commission listed twice once with the
 * sum. A pure function of the event, so the live projector and a rebuild by replay record the
 * same rows.
 */
export function coverageOf(event: PayoutExecuted): PayoutCoverageRecord[] {
  const rows = new Map<string, PayoutCoverageRecord>();
  for (const covered of event.coveredCommissions) {
    const amount = covered.amount === undefined ? null : parseDecimal(covered.amount);
    if (amount === null) continue;
    const key = JSON.stringify([covered.source, covered.commissionId]);
    const seen = rows.get(key);
    if (seen !== undefined) rows.set(key, { ...seen, amount: seen.amount.plus(amount) });
    else rows.set(key, { payoutId: event.payoutId, position: rows.size, aui: event.aui, unit: event.unit, source: covered.source, commissionId: covered.commissionId, amount });
  }
  return [...rows.values()];
}
