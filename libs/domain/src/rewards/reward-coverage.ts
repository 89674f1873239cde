import { Decimal } from '../money/decimal';

/** An approved reward commission of one (user, unit) and what it is still owed: its amount minus live deliveries. */
export interface OwedRewardCommission {
  commissionId: string;
  owed: Decimal;
}

export type RewardRunCoverage =
  | { kind: 'covered'; amount: Decimal; covered: { commissionId: string; amount: Decimal }[] }
  | { kind: 'none'; reason: 'below-threshold' };

/**
 * What a payout run's reward payout pays and covers, for a unit the partner pays by threshold:
 * whole commissions, oldest first, as long as they fit in what may be paid (`payable`, already
 * decided by decidePayout). The payout's amount is their sum, so what is marked fulfilled at
 * FirstPromoter is exactly what was paid: never a commission an earlier payout covered, never one
 * the amount left out. The rest waits for the next run.
 */
export function coverRewardPayout(owed: readonly OwedRewardCommission[], payable: Decimal, threshold: Decimal, fractionDigits: number): RewardRunCoverage {
  const covered: { commissionId: string; amount: Decimal }[] = [];
  let amount = new Decimal(0);
  for (const commission of owed) {
    // A reward the unit cannot pay exactly (2.5 points with whole points) waits for an operator: never paid in part.
    const payableExactly = commission.owed.equals(commission.owed.toDecimalPlaces(fractionDigits, Decimal.ROUND_DOWN));
    if (commission.owed.lte(0) || !payableExactly || amount.plus(commission.owed).gt(payable)) continue;
    covered.push({ commissionId: commission.commissionId, amount: commission.owed });
    amount = amount.plus(commission.owed);
  }
  if (covered.length === 0 || amount.lt(threshold)) return { kind: 'none', reason: 'below-threshold' };
  return { kind: 'covered', amount, covered };
}
