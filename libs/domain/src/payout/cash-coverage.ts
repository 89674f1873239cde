import { Decimal, ZERO } from '../money/decimal';
import { compareTimestamps } from '../time/source-timestamp';

/** One commission of a user's balance in one unit, as a cash payout may cover it. */
export interface OutstandingCommission {
  source: string;
  commissionId: string;
  /** The merchant order it belongs to (source, merchant and order id), or null: a return is covered with its purchase. */
  orderKey: string | null;
  /** When the purchase or referral happened; for one without an event date, when the ledger first saw it. Null: unknown, last. */
  occurredAt: string | null;
  /**
   * What it pays the user today minus what the user's payouts (those not failed or returned) already
   * covered of it. Positive: still owed. Negative: a settled return, or a clawback (a return, a
   * rejection or a move to another user after a payout), which the next payout settles.
   */
  outstanding: Decimal;
}

/** What a payout covered of one commission: recorded with the payout and never rewritten. */
export interface CoveredCommission {
  source: string;
  commissionId: string;
  amount: Decimal;
}

export type CashCoverage =
  | { kind: 'covered'; covered: CoveredCommission[] }
  /** The commissions owe less than the amount: the ledger moved since the figures were read. Pay nothing now. */
  | { kind: 'short'; owed: Decimal };

interface OrderGroup {
  members: OutstandingCommission[];
  net: Decimal;
}

/**
 * Which commissions a cash payout of `amount` covers. Commissions go by merchant order (a purchase
 * with its returns), orders oldest first. Every order that owes nothing or less (a clawback, a
 * moved commission, a settled return on its own) settles against this payout first. Then the
 * orders still owed, oldest first, each whole while the amount lasts and the last in part (its
 * negative amounts in full, its purchases oldest first), so a purchase netted by a settled return
 * is covered in full beside its return. The covered amounts add up to `amount` exactly.
 */
export function coverCashPayout(commissions: readonly OutstandingCommission[], amount: Decimal): CashCoverage {
  const groups = groupByOrder(commissions.filter((commission) => !commission.outstanding.isZero()));
  const owed = groups.reduce((sum, group) => sum.plus(group.net), ZERO);
  if (owed.lt(amount)) return { kind: 'short', owed };
  const covered: CoveredCommission[] = [];
  let left = amount;
  for (const group of groups.filter((candidate) => candidate.net.lte(0))) {
    covered.push(...group.members.map(coveredInFull));
    left = left.minus(group.net);
  }
  for (const group of groups.filter((candidate) => candidate.net.gt(0))) {
    if (left.isZero()) break;
    if (group.net.lte(left)) {
      covered.push(...group.members.map(coveredInFull));
      left = left.minus(group.net);
      continue;
    }
    covered.push(...coveredInPart(group, left));
    left = ZERO;
  }
  return { kind: 'covered', covered };
}

/** An order's negative amounts in full, then its purchases oldest first up to `budget` net. */
function coveredInPart(group: OrderGroup, budget: Decimal): CoveredCommission[] {
  const negatives = group.members.filter((member) => member.outstanding.isNegative());
  let left = negatives.reduce((sum, member) => sum.minus(member.outstanding), budget);
  const covered = negatives.map(coveredInFull);
  for (const member of group.members.filter((candidate) => candidate.outstanding.isPositive())) {
    if (left.isZero()) break;
    const amount = Decimal.min(left, member.outstanding);
    covered.push({ source: member.source, commissionId: member.commissionId, amount });
    left = left.minus(amount);
  }
  return covered;
}

const coveredInFull = (member: OutstandingCommission): CoveredCommission => ({ source: member.source, commissionId: member.commissionId, amount: member.outstanding });

/** Orders (a commission without one is an order of its own), each's members oldest first, orders by their oldest member. */
function groupByOrder(commissions: readonly OutstandingCommission[]): OrderGroup[] {
  const byOrder = new Map<string, OutstandingCommission[]>();
  for (const commission of [...commissions].sort(oldestFirst)) {
    const key = commission.orderKey === null ? JSON.stringify(['commission', commission.source, commission.commissionId]) : JSON.stringify(['order', commission.orderKey]);
    byOrder.set(key, [...(byOrder.get(key) ?? []), commission]);
  }
  // Members are sorted, and so are the groups by their first member: Map keeps insertion order.
  return [...byOrder.values()].map((members) => ({ members, net: members.reduce((sum, member) => sum.plus(member.outstanding), ZERO) }));
}

/** Oldest first; an unknown date after the known ones; ties by identity, numeric ids as numbers ("20" before "100"). */
function oldestFirst(left: OutstandingCommission, right: OutstandingCommission): number {
  if (left.occurredAt !== right.occurredAt) {
    if (left.occurredAt === null) return 1;
    if (right.occurredAt === null) return -1;
    const byDate = compareTimestamps(left.occurredAt, right.occurredAt);
    if (byDate !== 0) return byDate;
  }
  return compareText(left.source, right.source) || compareCommissionIds(left.commissionId, right.commissionId);
}

/** Sources number their commissions (FirstPromoter, Wildfire): as text "100" would come before "20". */
export function compareCommissionIds(left: string, right: string): number {
  const numeric = /^[0-9]+$/;
  if (numeric.test(left) && numeric.test(right)) {
    const leftDigits = left.replace(/^0+(?=.)/, '');
    const rightDigits = right.replace(/^0+(?=.)/, '');
    if (leftDigits.length !== rightDigits.length) return leftDigits.length - rightDigits.length;
    return compareText(leftDigits, rightDigits) || compareText(left, right);
  }
  return compareText(left, right);
}

const compareText = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);
