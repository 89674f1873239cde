import { Decimal, ZERO } from '../money/decimal';
import { compareTimestamps } from '../time/source-timestamp';
import { commissionKey } from './commission-key';

/** A payable commission (not paid by the network) of one user, in the order payouts cover it. */
export interface AllocatableCommission {
  source: string;
  commissionId: string;
  unit: string;
  /** The user's payable amount; a negative one (a settled return) is covered by nothing. */
  amount: Decimal;
  /** When the purchase or referral happened: payouts cover the oldest first. */
  eventDate: string | null;
}

/** A payout that succeeded and has not come back. */
export interface AllocatablePayout {
  payoutId: string;
  unit: string;
  amount: Decimal;
  executedAt: string;
}

export interface CommissionCoverage {
  paidOut: Decimal;
  payoutIds: string[];
}

export interface PayoutCoverage {
  source: string;
  commissionId: string;
  amount: Decimal;
}

export interface Allocation {
  /** By commissionKey; a commission no payout covered is absent. */
  byCommission: Map<string, CommissionCoverage>;
  /** By payout id: the commissions it covered, oldest first, partial amounts included. */
  byPayout: Map<string, PayoutCoverage[]>;
  /** Per unit: what was paid out beyond the payable commissions of today (a clawback later earnings will offset). */
  uncollectedByUnit: Map<string, Decimal>;
}

/**
 * Which payouts covered which commissions: per unit, payouts in the order they succeeded fill the
 * payable commissions oldest first, a commission partly covered when a payout runs out. A function
 * of today's commissions and payouts only, so a replay of the topics gives the same allocation in
 * any order; after a clawback the payouts move on to later earnings, which is what offsetting is.
 */
export function allocatePayouts(commissions: readonly AllocatableCommission[], payouts: readonly AllocatablePayout[]): Allocation {
  const allocation: Allocation = { byCommission: new Map(), byPayout: new Map(), uncollectedByUnit: new Map() };
  for (const unit of new Set(payouts.map((payout) => payout.unit))) {
    const unitCommissions = commissions.filter((commission) => commission.unit === unit && commission.amount.gt(0)).sort(oldestFirst);
    const unitPayouts = payouts.filter((payout) => payout.unit === unit).sort(earliestFirst);
    allocateUnit(allocation, unit, unitCommissions, unitPayouts);
  }
  return allocation;
}

function allocateUnit(allocation: Allocation, unit: string, commissions: AllocatableCommission[], payouts: AllocatablePayout[]): void {
  let commissionIndex = 0;
  let commissionLeft = commissions[0]?.amount ?? ZERO;
  let uncollected = ZERO;
  for (const payout of payouts) {
    const covered: PayoutCoverage[] = [];
    let payoutLeft = payout.amount;
    while (payoutLeft.gt(0) && commissionIndex < commissions.length) {
      const commission = commissions[commissionIndex];
      const amount = Decimal.min(payoutLeft, commissionLeft);
      covered.push({ source: commission.source, commissionId: commission.commissionId, amount });
      recordCoverage(allocation, commission, payout.payoutId, amount);
      payoutLeft = payoutLeft.minus(amount);
      commissionLeft = commissionLeft.minus(amount);
      if (commissionLeft.lte(0)) {
        commissionIndex += 1;
        commissionLeft = commissions[commissionIndex]?.amount ?? ZERO;
      }
    }
    uncollected = uncollected.plus(payoutLeft);
    allocation.byPayout.set(payout.payoutId, covered);
  }
  if (uncollected.gt(0)) allocation.uncollectedByUnit.set(unit, uncollected);
}

function recordCoverage(allocation: Allocation, commission: AllocatableCommission, payoutId: string, amount: Decimal): void {
  const key = commissionKey(commission.source, commission.commissionId);
  const coverage = allocation.byCommission.get(key) ?? { paidOut: ZERO, payoutIds: [] };
  allocation.byCommission.set(key, { paidOut: coverage.paidOut.plus(amount), payoutIds: [...coverage.payoutIds, payoutId] });
}

/** Oldest purchase first; one without a date after the dated ones; ties by identity, so the order is total. */
function oldestFirst(left: AllocatableCommission, right: AllocatableCommission): number {
  if (left.eventDate !== right.eventDate) {
    if (left.eventDate === null) return 1;
    if (right.eventDate === null) return -1;
    const byDate = compareTimestamps(left.eventDate, right.eventDate);
    if (byDate !== 0) return byDate;
  }
  return compareText(left.source, right.source) || compareText(left.commissionId, right.commissionId);
}

function earliestFirst(left: AllocatablePayout, right: AllocatablePayout): number {
  return compareTimestamps(left.executedAt, right.executedAt) || compareText(left.payoutId, right.payoutId);
}

const compareText = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);
