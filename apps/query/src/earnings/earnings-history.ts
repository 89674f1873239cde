import { canonicalTimestamp, Decimal } from '@earnings/domain';

/** One version of a commission as the history needs it: which commission, in which unit, what it counted for, and from when. */
export interface HistoryVersion {
  commissionKey: string;
  unit: string;
  amount: Decimal;
  rejected: boolean;
  /** Canonical timestamp (six fractional digits, Z): compares as a string. */
  modifiedDate: string;
}

/** A payout that left: counted as paid out from executedAt, and no longer once it came back (returnedAt). */
export interface HistoryPayout {
  unit: string;
  amount: Decimal;
  executedAt: string;
  returnedAt: string | null;
}

export interface EarningsPoint {
  at: string;
  lifetime: string;
  paidOut: string;
}

export interface EarningsSeries {
  unit: string;
  points: EarningsPoint[];
}

export const historyPointsDefault = 30;
export const historyPointsMax = 200;

/** `count` moments evenly spaced from `from` to `to`, both included, as canonical timestamps. */
export function evenlySpacedMoments(from: Date, to: Date, count: number): string[] {
  if (count < 2) throw new Error(`a series needs at least two moments, got ${count}`);
  const stepMs = (to.getTime() - from.getTime()) / (count - 1);
  return Array.from({ length: count }, (_unused, index) => canonicalTimestamp(new Date(from.getTime() + Math.round(stepMs * index)).toISOString()));
}

/**
 * Lifetime earned and paid out per unit as of each moment: at a moment, each commission counts
 * with its latest version modified by then (rejected counts nothing), the way the ledger counts it
 * now; a payout counts from its execution until it came back. Moments must be ascending.
 */
export function earningsSeries(versions: readonly HistoryVersion[], payouts: readonly HistoryPayout[], moments: readonly string[]): EarningsSeries[] {
  const units = [...new Set([...versions.map((version) => version.unit), ...payouts.map((payout) => payout.unit)])].sort();
  const ordered = [...versions].sort((left, right) => (left.modifiedDate < right.modifiedDate ? -1 : left.modifiedDate > right.modifiedDate ? 1 : 0));
  const latest = new Map<string, HistoryVersion>();
  const lifetime = new Map<string, Decimal>(units.map((unit) => [unit, new Decimal(0)]));
  const series = new Map<string, EarningsPoint[]>(units.map((unit) => [unit, []]));
  let next = 0;
  for (const at of moments) {
    for (; next < ordered.length && ordered[next].modifiedDate <= at; next += 1) {
      const version = ordered[next];
      const previous = latest.get(version.commissionKey);
      if (previous) lifetime.set(previous.unit, lifetime.get(previous.unit)!.minus(countedOf(previous)));
      lifetime.set(version.unit, lifetime.get(version.unit)!.plus(countedOf(version)));
      latest.set(version.commissionKey, version);
    }
    for (const unit of units) {
      const paidOut = payouts
        .filter((payout) => payout.unit === unit && payout.executedAt <= at && (payout.returnedAt === null || payout.returnedAt > at))
        .reduce((sum, payout) => sum.plus(payout.amount), new Decimal(0));
      series.get(unit)!.push({ at, lifetime: lifetime.get(unit)!.toFixed(), paidOut: paidOut.toFixed() });
    }
  }
  return units.map((unit) => ({ unit, points: series.get(unit)! }));
}

const countedOf = (version: HistoryVersion): Decimal => (version.rejected ? new Decimal(0) : version.amount);
