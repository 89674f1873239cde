import { CommissionObserved, CommissionSource } from '@earnings/contracts';
import { Decimal, toEpochMicros } from '@earnings/domain';

/** What the ledger holds of one commission: its latest applied version (the projection's commission row). */
export interface LedgerCommission {
  source: CommissionSource;
  commissionId: string;
  aui: string;
  unit: string;
  userAmount: string;
  state: string;
  /** Canonical, six fractional digits, as in CommissionObserved. */
  modifiedDate: string;
}

export type DifferingField = 'amount' | 'unit' | 'status' | 'owner';

export type ReconcileFinding =
  | { kind: 'missing'; source: CommissionSource; commissionId: string; sourceSays: CommissionView }
  | { kind: 'differing'; source: CommissionSource; commissionId: string; fields: DifferingField[]; sourceSays: CommissionView; ledgerSays: CommissionView }
  | { kind: 'unknown'; source: CommissionSource; commissionId: string; ledgerSays: CommissionView };

export interface CommissionView {
  aui: string;
  unit: string;
  userAmount: string;
  state: string;
  modifiedDate: string;
}

export interface ReconcileReport {
  source: CommissionSource;
  window: { from: string; to: string };
  /** Commissions the source listed in the window. */
  compared: number;
  /** Commissions where the ledger already holds a newer version than the source listed (a callback ahead of the API): not a difference. */
  ledgerAhead: number;
  counts: { missing: number; differing: number; unknown: number };
  findings: ReconcileFinding[];
}

const viewOf = (commission: CommissionObserved | LedgerCommission): CommissionView => ({
  aui: commission.aui, unit: commission.unit, userAmount: new Decimal(commission.userAmount).toFixed(), state: commission.state, modifiedDate: commission.modifiedDate,
});

/**
 * Compares what a source says now with the ledger, per commission (source, commission id):
 * missing (the source has it, the ledger never applied it), differing (the ledger's latest version
 * is not newer than the source's and disagrees on amount, unit, status or owner), unknown (the
 * ledger applied a version modified in the window that the source does not list). Pure: the
 * caller reads both sides. When the source lists a commission twice, its newest version counts.
 */
export function reconcile(input: { source: CommissionSource; window: { from: string; to: string }; sourceSays: readonly CommissionObserved[]; ledgerHas: readonly LedgerCommission[] }): ReconcileReport {
  const listed = newestPerCommission(input.sourceSays);
  const ledger = new Map(input.ledgerHas.map((row) => [row.commissionId, row]));
  const report: ReconcileReport = { source: input.source, window: input.window, compared: listed.size, ledgerAhead: 0, counts: { missing: 0, differing: 0, unknown: 0 }, findings: [] };
  for (const [commissionId, observed] of listed) {
    const held = ledger.get(commissionId);
    if (held === undefined) report.findings.push({ kind: 'missing', source: input.source, commissionId, sourceSays: viewOf(observed) });
    else if (toEpochMicros(held.modifiedDate) > toEpochMicros(observed.modifiedDate)) report.ledgerAhead += 1;
    else {
      const fields = differingFields(viewOf(observed), viewOf(held));
      if (fields.length > 0) report.findings.push({ kind: 'differing', source: input.source, commissionId, fields, sourceSays: viewOf(observed), ledgerSays: viewOf(held) });
    }
  }
  const windowStart = toEpochMicros(input.window.from);
  const windowEnd = toEpochMicros(input.window.to);
  for (const held of input.ledgerHas) {
    const modified = toEpochMicros(held.modifiedDate);
    if (listed.has(held.commissionId) || modified < windowStart || modified > windowEnd) continue;
    report.findings.push({ kind: 'unknown', source: input.source, commissionId: held.commissionId, ledgerSays: viewOf(held) });
  }
  for (const finding of report.findings) report.counts[finding.kind] += 1;
  return report;
}

function newestPerCommission(observations: readonly CommissionObserved[]): Map<string, CommissionObserved> {
  const newest = new Map<string, CommissionObserved>();
  for (const observation of observations) {
    const seen = newest.get(observation.commissionId);
    if (seen === undefined || toEpochMicros(observation.modifiedDate) > toEpochMicros(seen.modifiedDate)) newest.set(observation.commissionId, observation);
  }
  return newest;
}

function differingFields(source: CommissionView, ledger: CommissionView): DifferingField[] {
  const fields: DifferingField[] = [];
  if (source.userAmount !== ledger.userAmount) fields.push('amount');
  if (source.unit !== ledger.unit) fields.push('unit');
  if (source.state !== ledger.state) fields.push('status');
  if (source.aui !== ledger.aui) fields.push('owner');
  return fields;
}

/** The observations `--repair` publishes: the source's version of every missing or differing commission. */
export function observationsToRepair(report: ReconcileReport, sourceSays: readonly CommissionObserved[]): CommissionObserved[] {
  const wanted = new Set(report.findings.filter((finding) => finding.kind !== 'unknown').map((finding) => finding.commissionId));
  return [...newestPerCommission(sourceSays.filter((observation) => wanted.has(observation.commissionId))).values()];
}
