import { RequestLog } from './request-log';
import { SimulatorOptions } from './simulator-options';
import { CommissionHistory, CommissionVersion, latestVersionAt, SimulatedCommission } from './wildfire/commission-history';
import { FaultPlan } from './wildfire/fault-plan';
import { generateHistory } from './wildfire/history-generator';
import { IntervalGate } from './wildfire/interval-gate';
import { formatMicros, microsPerHour } from './wildfire/wire-format';

export interface VersionedRecord {
  commission: SimulatedCommission;
  version: CommissionVersion;
}

/** Two years per call: far beyond any history, small enough to catch a unit mistake (ms for hours). */
export const clockAdvanceHoursMax = 2 * 365 * 24;

/**
 * Everything the simulator knows: the generated history, its own clock (versions whose
 * ModifiedDate has come are visible), and the knobs tests turn (faults, rate limit, request log).
 * The clock moves only when told to, so a run is reproducible.
 */
export class SimulatorState {
  readonly history: CommissionHistory;
  readonly faults = new FaultPlan();
  readonly requestLog = new RequestLog();
  readonly apiGate: IntervalGate;
  /** Aborted when the server starts closing: calls held by an injected timeout let go at once. */
  readonly closing = new AbortController();
  private nowMicros: number;
  private callbackSends = 0;
  private latestCache: { atMicros: number; records: VersionedRecord[] } | null = null;
  /**
   * Commission ids the Commission API leaves out of its pages, as if Wildfire's record lagged
   * behind: the reconcile tests see a clean report while a record is held, a drifted one after.
   */
  private heldBack: ReadonlySet<number> = new Set();
  /**
   * Fields some commissions carry on the wire instead of their own, as merchants send odd metadata
   * (a SKU with a trailing space, 101 SKUs, a NUL in an order id, a padded tracking code): tests
   * see how ingest books such records from the Commission API.
   */
  private quirks: ReadonlyMap<number, Readonly<Record<string, unknown>>> = new Map();

  constructor(readonly options: SimulatorOptions) {
    this.history = generateHistory({
      seed: options.seed, users: options.users, commissions: options.commissions, currencies: options.currencies, auiPrefix: options.auiPrefix,
      startAtMs: options.startAtMs ?? Date.now(),
    });
    this.nowMicros = this.history.initialNowMicros;
    this.apiGate = new IntervalGate(options.apiIntervalMsMin);
  }

  get clockMicros(): number {
    return this.nowMicros;
  }

  clockIso(): string {
    return formatMicros(this.nowMicros);
  }

  /** Moves the clock forward only: Wildfire never takes a change back. */
  advanceHours(hours: number): { previousMicros: number; nowMicros: number } {
    if (!Number.isFinite(hours) || hours < 0 || hours > clockAdvanceHoursMax) throw new RangeError(`advanceHours must be from 0 to ${clockAdvanceHoursMax}`);
    const previousMicros = this.nowMicros;
    this.nowMicros += Math.round(hours * microsPerHour);
    return { previousMicros, nowMicros: this.nowMicros };
  }

  /** The latest visible version of each visible commission, by (ModifiedDate, CommissionID); cached per clock value. */
  latestVisible(): VersionedRecord[] {
    if (this.latestCache?.atMicros !== this.nowMicros) {
      this.latestCache = { atMicros: this.nowMicros, records: sortedByModified(latestAt(this.history.commissions, this.nowMicros)) };
    }
    const records = this.latestCache.records;
    return this.heldBack.size === 0 ? records : records.filter((record) => !this.heldBack.has(record.commission.commissionId));
  }

  holdBack(commissionIds: readonly number[]): void {
    this.heldBack = new Set(commissionIds);
  }

  setQuirks(quirks: ReadonlyMap<number, Readonly<Record<string, unknown>>>): void {
    this.quirks = quirks;
  }

  /** The record as it goes on the wire: its quirky fields replace the ones of the same name in any letter case. */
  withQuirks(commissionId: number, record: Record<string, unknown>): Record<string, unknown> {
    const quirky = this.quirks.get(commissionId);
    if (quirky === undefined) return record;
    const result = { ...record };
    for (const [name, value] of Object.entries(quirky)) {
      const existing = Object.keys(result).find((key) => key.toLowerCase() === name.toLowerCase());
      if (existing !== undefined) delete result[existing];
      result[existing ?? name] = value;
    }
    return result;
  }

  heldBackIds(): number[] {
    return [...this.heldBack].sort((left, right) => left - right);
  }

  /** Every version with afterMicros < ModifiedDate <= throughMicros, in ModifiedDate order (callbacks). */
  versionsBetween(afterMicros: number, throughMicros: number): VersionedRecord[] {
    const records: VersionedRecord[] = [];
    for (const commission of this.history.commissions) {
      for (const version of commission.versions) {
        if (version.modified.micros > afterMicros && version.modified.micros <= throughMicros) records.push({ commission, version });
      }
    }
    return sortedByModified(records);
  }

  nextCallbackSendNumber(): number {
    this.callbackSends += 1;
    return this.callbackSends;
  }

  summary(): Record<string, unknown> {
    const latest = this.latestVisible();
    return {
      seed: this.history.seed,
      baseDate: formatMicros(this.history.baseMicros),
      now: this.clockIso(),
      users: this.history.auis.length,
      commissions: this.history.commissions.length,
      visibleCommissions: latest.length,
      visibleVersions: this.versionsBetween(Number.NEGATIVE_INFINITY, this.nowMicros).length,
      applications: this.history.applications,
      merchants: this.history.merchants.length,
      apiIntervalMsMin: this.options.apiIntervalMsMin,
      faults: this.faults.snapshot(),
    };
  }
}

function latestAt(commissions: readonly SimulatedCommission[], horizonMicros: number): VersionedRecord[] {
  const records: VersionedRecord[] = [];
  for (const commission of commissions) {
    const version = latestVersionAt(commission, horizonMicros);
    if (version !== null) records.push({ commission, version });
  }
  return records;
}

function sortedByModified(records: VersionedRecord[]): VersionedRecord[] {
  return records.sort(
    (left, right) =>
      left.version.modified.micros - right.version.modified.micros ||
      left.commission.commissionId - right.commission.commissionId ||
      left.version.index - right.version.index,
  );
}
