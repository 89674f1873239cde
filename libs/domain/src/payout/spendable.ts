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
 * Commissions a fraud check flagged (`flaggedHeld`: what they make payable, while held or after
 * an operator rejected them) stay out of spendable; they still count in lifetime.
 * The threshold and rounding come after, in decidePayout.
 */
export function spendableOf(ledger: LedgerFiguresForPayout, committedByPayoutService: Decimal, flaggedHeld: Decimal = ZERO): Decimal {
  const owed = ledger.payable.plus(Decimal.min(ZERO, ledger.pendingReversals)).minus(Decimal.max(ZERO, flaggedHeld));
  const taken = Decimal.max(ledger.paidOut.plus(ledger.reserved), committedByPayoutService);
  return Decimal.max(ZERO, owed.minus(taken));
}

/** A commission a fraud check flagged (FirstPromoter's `fraud_check` or `is_self_referral`), as the payout service holds it. */
export interface FlaggedCommission {
  source: string;
  commissionId: string;
  /** What the commission makes payable today (the ledger's rule); only a positive amount is held. */
  payable: Decimal;
  /** `held` until an operator clears or rejects it; `rejected` keeps it out of spendable for good. Cleared ones are not listed. */
  decision: 'held' | 'rejected';
}

/** What flagged commissions keep out of spendable. */
export function flaggedHeldOf(flagged: readonly FlaggedCommission[]): Decimal {
  return flagged.reduce((sum, commission) => sum.plus(Decimal.max(ZERO, commission.payable)), ZERO);
}
