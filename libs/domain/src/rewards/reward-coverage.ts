import { Decimal } from '../money/decimal';

/** An approved reward commission of one (user, unit) and what it is still owed: its amount minus live deliveries. */
export interface OwedRewardCommission {
  commissionId: string;
  owed: Decimal;
}

export type RewardRunCoverage =
  | {
      kind: 'covered';
      amount: Decimal;
      /** What the payout pays of each commission: whole amounts, the last one possibly in part. */
      paid: { commissionId: string; amount: Decimal }[];
      /** The commissions it pays in full: only these are marked fulfilled at FirstPromoter. */
      covered: string[];
    }
  | { kind: 'none'; reason: 'below-threshold' };

/**
 * What a payout run's reward payout pays, and for which commissions, for a unit the partner pays
 * by threshold: `payable` (already decided by decidePayout, rounded to the unit) is allocated to
 * the commissions still owed, oldest first. A commission is covered, and FirstPromoter hears it
 * fulfilled, only once it is paid in full: never one an earlier payout paid, never one left out of
 * the amount. One paid in part owes the rest to the next run.
 */
export function coverRewardPayout(owed: readonly OwedRewardCommission[], payable: Decimal, threshold: Decimal, fractionDigits: number): RewardRunCoverage {
  const paid: { commissionId: string; amount: Decimal }[] = [];
  let left = payable;
  for (const commission of owed) {
    if (left.lte(0)) break;
    if (commission.owed.lte(0)) continue;
    const amount = Decimal.min(commission.owed, left);
    paid.push({ commissionId: commission.commissionId, amount });
    left = left.minus(amount);
  }
  // Commissions that ran out below `payable` may end in a fraction the unit cannot pay: it stays owed.
  const amount = payable.minus(left).toDecimalPlaces(fractionDigits, Decimal.ROUND_DOWN);
  let unpaid = payable.minus(left).minus(amount);
  while (unpaid.gt(0) && paid.length > 0) {
    const last = paid[paid.length - 1];
    if (last.amount.lte(unpaid)) {
      unpaid = unpaid.minus(last.amount);
      paid.pop();
    } else {
      paid[paid.length - 1] = { ...last, amount: last.amount.minus(unpaid) };
      unpaid = new Decimal(0);
    }
  }
  if (paid.length === 0 || amount.lt(threshold) || amount.lte(0)) return { kind: 'none', reason: 'below-threshold' };
  const owedOf = new Map(owed.map((commission) => [commission.commissionId, commission.owed]));
  const covered = paid.filter((entry) => entry.amount.equals(owedOf.get(entry.commissionId)!)).map((entry) => entry.commissionId);
  return { kind: 'covered', amount, paid, covered };
}
