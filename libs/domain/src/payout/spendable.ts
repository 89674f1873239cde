import { Decimal, ZERO } from '../money/decimal';

/** The ledger's figures of one balance, as the payout service learns them from balance-changed. */
export interface LedgerFiguresForPayout {
  /** Eligible commissions the partner pays (network-paid amounts are never in it). */
  payable: Decimal;
  paidOut: Decimal;
  /** Payouts the ledger already holds (requested or at the provider). */
  reserved: Decimal;
  /** Negative amounts still pending, confirmed or ready: 0 or less. */
  pendingReversals: Decimal;
}

/**
 * What may still be paid on one balance: payable, minus known reversals that have not settled,
 * minus what has left or is held; never below zero. "What has left or is held" is the larger of
 * the ledger's paid out + reserved and `committedByPayoutService` (this service's payouts that
 * are requested, at the provider, or succeeded and not returned): the ledger learns of a payout
 * through the topics a moment later, and until then only this service's own figure covers it.
 * The threshold and rounding come after, in decidePayout.
 */
export function spendableOf(ledger: LedgerFiguresForPayout, committedByPayoutService: Decimal): Decimal {
  const owed = ledger.payable.plus(Decimal.min(ZERO, ledger.pendingReversals));
  const taken = Decimal.max(ledger.paidOut.plus(ledger.reserved), committedByPayoutService);
  return Decimal.max(ZERO, owed.minus(taken));
}
