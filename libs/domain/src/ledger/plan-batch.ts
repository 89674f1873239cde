import { CommissionObserved, PayoutExecuted } from '@earnings/contracts';
import { addFigures, BalanceFigures, balanceKey, isZeroFigures, zeroFigures } from './balance-figures';
import { BalanceChange, changesOfNewVersion, changesOfPayout } from './balance-changes';
import { commissionKey, commissionKeyOf, CommissionVersion, decideVersion, VersionDuplicateReason } from './commission-version';
import { LedgerEvent } from './ledger-state';

/** A named, normal outcome: the event arrived again (or late) and changed nothing. */
export type Duplicate =
  | { kind: 'commission'; observationId: string; source: string; commissionId: string; reason: VersionDuplicateReason }
  | { kind: 'payout'; payoutId: string; reason: 'payout-already-applied' };

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
  appliedPayouts: PayoutExecuted[];
  duplicates: Duplicate[];
  /** Only balances with a non-zero net change: changes that cancel out within the batch write nothing. */
  balanceDeltas: BalanceDelta[];
}

export interface BatchInput {
  /** The stored versions of (at least) the commissions the batch mentions, by commissionKey. */
  storedVersions: ReadonlyMap<string, CommissionVersion>;
  /** Which of the batch's payout ids were already applied before it. */
  alreadyAppliedPayoutIds: ReadonlySet<string>;
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
  payoutIdsAppliedInBatch: Set<string>;
  appliedObservations: CommissionObserved[];
  appliedPayouts: PayoutExecuted[];
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
    payoutIdsAppliedInBatch: new Set(),
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
    case 'PayoutExecuted':
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

function planPayout(batch: BatchInProgress, payout: PayoutExecuted): void {
  const alreadyApplied = batch.input.alreadyAppliedPayoutIds.has(payout.payoutId) || batch.payoutIdsAppliedInBatch.has(payout.payoutId);
  if (alreadyApplied) {
    batch.duplicates.push({ kind: 'payout', payoutId: payout.payoutId, reason: 'payout-already-applied' });
    return;
  }
  batch.payoutIdsAppliedInBatch.add(payout.payoutId);
  batch.appliedPayouts.push(payout);
  addChanges(batch, changesOfPayout(payout), payout.payoutId);
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
    duplicates: batch.duplicates,
    balanceDeltas,
  };
}
