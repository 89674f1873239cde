import { isLedgerOwnedAui } from '@earnings/contracts';
import { Decimal } from '../money/decimal';
import { fractionDigitsOf, PayoutPolicy, requiresReview } from './payout-policy';

/** What a payout run knows about one user's balance in one unit. */
export interface PayableBalance {
  aui: string;
  unit: string;
  /** What may still be paid: spendableOf the ledger's figures and this service's own payouts. */
  spendable: Decimal;
  /**
   * Until when the user's payouts are held after a change of their payout method (ISO-8601 UTC),
   * or null: a taken-over account must not be emptied to a new address the same minute.
   */
  securityHoldUntil?: string | null;
}

export type NoPayoutReason = 'unattributed' | 'unit-not-paid-out' | 'balance-not-positive' | 'below-threshold' | 'security-hold';

/** A payout to make: `amount` is rounded down to the unit's payable precision; `remainder` stays in the balance. */
export interface PayoutDecided {
  kind: 'payout';
  aui: string;
  unit: string;
  amount: Decimal;
  /** `amount` in the smallest payable step of the unit (cents for USD, yen for JPY, whole credits). */
  amountMinor: bigint;
  fractionDigits: number;
  remainder: Decimal;
  decidedAt: string;
  /** True when the partner reviews this payout (PAYOUT_REVIEW): it is held, out of spendable, until an operator approves it. */
  review: boolean;
}

export interface NoPayout {
  kind: 'none';
  aui: string;
  unit: string;
  reason: NoPayoutReason;
}

export type PayoutDecision = PayoutDecided | NoPayout;

/**
 * Whether to pay `balance` now, and how much. Pure: time arrives as `now`.
 * Money the ledger keeps under its own owner (unattributed) is nobody's and never paid.
 * A zero or negative balance (a clawback after a payout) is never paid: later earnings offset it.
 * The amount rounds DOWN to the unit's minor unit so a payout never exceeds what is available;
 * the remainder stays in the balance for the next run.
 * A user under a security hold (payout method changed recently) is not paid until it ends or is
 * lifted; a payout the partner reviews is decided with `review`, and leaves only once approved.
 */
export function decidePayout(balance: PayableBalance, policy: PayoutPolicy, now: Date): PayoutDecision {
  const none = (reason: NoPayoutReason): NoPayout => ({ kind: 'none', aui: balance.aui, unit: balance.unit, reason });
  if (isLedgerOwnedAui(balance.aui)) return none('unattributed');
  const threshold = policy.thresholds.get(balance.unit);
  if (threshold === undefined) return none('unit-not-paid-out');
  if (balance.spendable.lte(0)) return none('balance-not-positive');
  const fractionDigits = fractionDigitsOf(balance.unit, policy);
  const amount = balance.spendable.toDecimalPlaces(fractionDigits, Decimal.ROUND_DOWN);
  if (amount.lt(threshold) || amount.lte(0)) return none('below-threshold');
  if (isSecurityHoldActive(balance.securityHoldUntil ?? null, now)) return none('security-hold');
  return {
    kind: 'payout',
    aui: balance.aui,
    unit: balance.unit,
    amount,
    amountMinor: BigInt(amount.times(new Decimal(10).pow(fractionDigits)).toFixed(0)),
    fractionDigits,
    remainder: balance.spendable.minus(amount),
    decidedAt: now.toISOString(),
    review: requiresReview(policy.review, balance.unit, amount),
  };
}

/** True while a security hold ending at `until` (ISO-8601) still holds payouts at `now`. */
export function isSecurityHoldActive(until: string | null, now: Date): boolean {
  return until !== null && Date.parse(until) > now.getTime();
}
