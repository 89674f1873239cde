import { CommissionObserved } from '@earnings/contracts';
import { addFigures, BalanceFigures, balanceKey, isZeroFigures, zeroFigures } from './balance-figures';
import { BalanceChange, changesOfNewVersion, changesOfPayout } from './balance-changes';
import { commissionKey, commissionKeyOf, CommissionVersion, decideVersion, VersionDuplicateReason } from './commission-version';
import { decidePayoutEvent, LedgerPayout, PayoutDuplicateReason, PayoutEvent } from './ledger-payout';
import { LedgerEvent } from './ledger-state';

/** A named, normal outcome: the event arrived again (or late) and changed nothing. */
export type Duplicate =
  | { kind: 'commission'; observationId: string; source: string; commissionId: string; reason: VersionDuplicateReason }
  | { kind: 'payout'; payoutId: string; eventType: PayoutEvent['type']; reason: PayoutDuplicateReason };

export interface BalanceDelta {
  aui: string;
  unit: string;
  delta: BalanceFigures;
  /** Observation and payout ids whose application changed this balance, in batch order. */
  causedBy: string[];
}

export interface BatchPlan {
  /** The final version of each commission the batch changed: the rows to upsert. */
  changedVersions: CommissionVersion[];
  /** Every observation that applied, in order, for the audit history. */
  appliedObservations: CommissionObserved[];
  /** Every payout event that changed its payout's record, in order. */
  appliedPayouts: PayoutEvent[];
  /** The final record of each payout the batch changed: the rows to upsert. */
  changedPayouts: LedgerPayout[];
  duplicates: Duplicate[];
  /** Only balances with a non-zero net change: changes that cancel out within the batch write nothing. */
  balanceDeltas: BalanceDelta[];
}

export interface BatchInput {
  /** The stored versions of (at least) the commissions the batch mentions, by commissionKey. */
  storedVersions: ReadonlyMap<string, CommissionVersion>;
  /** The stored records of (at least) the payouts the batch mentions, by payout id. */
  storedPayouts: ReadonlyMap<string, LedgerPayout>;
  events: readonly LedgerEvent[];
}

/** Far above any Kafka batch (bounded by maxBytesPerPartition); a bigger one means a runaway caller. */
export const planBatchEventsMax = 100_000;

interface PendingDelta {
  aui: string;
  unit: string;
  delta: BalanceFigures;
  causedBy: Set<string>;
}

/** The batch's writes so far, layered over what was stored before it. */
interface BatchInProgress {
  input: BatchInput;
  /** Doubles as the overlay over storedVersions: the batch reads its own writes first. */
  changedVersions: Map<string, CommissionVersion>;
  /** Doubles as the overlay over storedPayouts. */
  changedPayouts: Map<string, LedgerPayout>;
  appliedObservations: CommissionObserved[];
  appliedPayouts: PayoutEvent[];
  duplicates: Duplicate[];
  deltas: Map<string, PendingDelta>;
}

/**
 * What the projector calls per Kafka batch: given the stored versions of the commissions the
 * batch mentions and which of its payout ids were already applied, decide what to write. The
 * same rules as evolve; the projector writes the plan and the offsets in one transaction.
 */
export function planBatch(input: BatchInput): BatchPlan {
  if (input.events.length > planBatchEventsMax) {
    throw new RangeError(`a batch of ${input.events.length} events is over planBatchEventsMax (${planBatchEventsMax})`);
  }
  const batch: BatchInProgress = {
    input,
    changedVersions: new Map(),
    changedPayouts: new Map(),
    appliedObservations: [],
    appliedPayouts: [],
    duplicates: [],
    deltas: new Map(),
  };
  for (const event of input.events) planEvent(batch, event);
  return finishedPlan(batch);
}

function planEvent(batch: BatchInProgress, event: LedgerEvent): void {
  switch (event.type) {
    case 'CommissionObserved':
      return planObservation(batch, event);
    case 'PayoutRequested':
    case 'PayoutSubmitted':
    case 'PayoutExecuted':
    case 'PayoutFailed':
    case 'PayoutReturned':
      return planPayout(batch, event);
    default: {
      const unreachable: never = event;
      throw new Error(`unknown ledger event ${JSON.stringify(unreachable)}`);
    }
  }
}

function planObservation(batch: BatchInProgress, observation: CommissionObserved): void {
  const key = commissionKey(observation.source, observation.commissionId);
  const latest = latestVersion(batch, key);
  const decision = decideVersion(latest, observation);
  if (!decision.applied) {
    const { observationId, source, commissionId } = observation;
    batch.duplicates.push({ kind: 'commission', observationId, source, commissionId, reason: decision.reason });
    return;
  }
  batch.changedVersions.set(key, decision.version);
  batch.appliedObservations.push(observation);
  addChanges(batch, changesOfNewVersion(latest, decision.version), observation.observationId);
}

function planPayout(batch: BatchInProgress, event: PayoutEvent): void {
  const stored = batch.changedPayouts.get(event.payoutId) ?? batch.input.storedPayouts.get(event.payoutId);
  const decision = decidePayoutEvent(stored, event);
  if (!decision.applied) {
    batch.duplicates.push({ kind: 'payout', payoutId: event.payoutId, eventType: event.type, reason: decision.reason });
    return;
  }
  batch.changedPayouts.set(event.payoutId, decision.payout);
  batch.appliedPayouts.push(event);
  addChanges(batch, changesOfPayout(stored, decision.payout), event.payoutId);
}

function latestVersion(batch: BatchInProgress, key: string): CommissionVersion | undefined {
  const changed = batch.changedVersions.get(key);
  if (changed !== undefined) return changed;
  const stored = batch.input.storedVersions.get(key);
  // A version filed under another commission's key would move the wrong balance: stop here.
  if (stored !== undefined && commissionKeyOf(stored) !== key) {
    throw new Error(`stored version ${commissionKeyOf(stored)} is filed under key ${key}`);
  }
  return stored;
}

function addChanges(batch: BatchInProgress, changes: BalanceChange[], eventId: string): void {
  for (const change of changes) {
    const key = balanceKey(change.aui, change.unit);
    const pending = batch.deltas.get(key) ?? { aui: change.aui, unit: change.unit, delta: zeroFigures, causedBy: new Set<string>() };
    pending.delta = addFigures(pending.delta, change.delta);
    pending.causedBy.add(eventId);
    batch.deltas.set(key, pending);
  }
}

function finishedPlan(batch: BatchInProgress): BatchPlan {
  const balanceDeltas = [...batch.deltas.values()]
    .filter((pending) => !isZeroFigures(pending.delta))
    .map(({ aui, unit, delta, causedBy }) => ({ aui, unit, delta, causedBy: [...causedBy] }));
  return {
    changedVersions: [...batch.changedVersions.values()],
    appliedObservations: batch.appliedObservations,
    appliedPayouts: batch.appliedPayouts,
    changedPayouts: [...batch.changedPayouts.values()],
    duplicates: batch.duplicates,
    balanceDeltas,
  };
}
