import { canonicalTimestamp } from '@earnings/domain';
import type { EarningsAsOfRow } from './earnings.repository';

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
 * One series per unit (sorted) with a point at every moment: the figures the ledger's rule gives as
 * of each moment (EarningsRepository.earningsAsOf), zero where a unit had nothing yet.
 */
export function earningsSeries(rows: readonly EarningsAsOfRow[], moments: readonly string[]): EarningsSeries[] {
  const units = [...new Set(rows.map((row) => row.unit))].sort();
  const byUnitAndMoment = new Map(rows.map((row) => [`${row.unit}\u0000${row.at}`, row]));
  return units.map((unit) => ({
    unit,
    points: moments.map((at) => {
      const row = byUnitAndMoment.get(`${unit}\u0000${at}`);
      return { at, lifetime: row?.lifetime ?? '0', paidOut: row?.paidOut ?? '0' };
    }),
  }));
}
