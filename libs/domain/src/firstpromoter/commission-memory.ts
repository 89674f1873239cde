import { CommissionObserved, isLedgerOwnedAui } from '@earnings/contracts';
import { identifierProblem } from '../input-rules';
import { fromEpochMicros, toEpochMicros } from '../time/source-timestamp';
import { decideFirstPromoterOwner } from './owner';
import {
  canonicalVersionTimes, firstPromoterContentKey, FirstPromoterVersionPlace, FirstPromoterVersionTimes, KnownFirstPromoterVersion, placeFirstPromoterVersion,
  withFirstPromoterVersion,
} from './version-order';

/** What ingest remembers of one commission: the owner it keeps and every version it dated. */
export interface FirstPromoterCommissionMemory {
  keptOwner: string | null;
  versions: readonly KnownFirstPromoterVersion[];
  /** The observation the newest version was published as (null for versions dated before it was kept). */
  newestObservation: CommissionObserved | null;
}

export interface FirstPromoterVersionSettlement {
  /** What to publish: under the kept owner, dated by the source's times. */
  observation: CommissionObserved;
  place: FirstPromoterVersionPlace['kind'];
  /** A version to remember (null when this one is known). */
  newVersion: (KnownFirstPromoterVersion & { observation: CommissionObserved }) | null;
  /** An owner to record: the commission's first, or the first user after `~unattributed`. */
  newOwner: string | null;
  /** The payload names another user than the kept one: for the operator, never applied. */
  sourceNamesOther: string | null;
}

/**
 * One delivery of a commission against what ingest remembers: the owner is the kept one (decided
 * at the first observation), and the date is the delivery's place among the known versions by the
 * source's own times (placeFirstPromoterVersion).
 */
export function settleFirstPromoterVersion(memory: FirstPromoterCommissionMemory, observation: CommissionObserved, times: FirstPromoterVersionTimes): FirstPromoterVersionSettlement {
  const owner = decideFirstPromoterOwner(memory.keptOwner, observation.aui);
  const owned = withFirstPromoterVersion(observation, { versionDate: observation.modifiedDate, aui: owner.owner });
  const contentKey = firstPromoterContentKey(owned);
  const place = placeFirstPromoterVersion(contentKey, times, memory.versions);
  const dated = withFirstPromoterVersion(owned, { versionDate: place.versionDate });
  const newVersion = place.kind === 'known' ? null : { contentKey, versionDate: place.versionDate, ...canonicalVersionTimes(times), observation: dated };
  return { observation: dated, place: place.kind, newVersion, newOwner: owner.decided ? owner.owner : null, sourceNamesOther: owner.sourceNamesOther };
}

export type FirstPromoterMove =
  /** `newVersion` null: this very move was made before (its publication is being repeated). */
  | { kind: 'moved'; observation: CommissionObserved; newVersion: (KnownFirstPromoterVersion & { observation: CommissionObserved }) | null; from: string }
  | { kind: 'refused'; problem: string };

/**
 * An operator moves a commission to another user on purpose: its newest version again, naming the
 * new owner, dated one microsecond after it so the ledger applies it (the money moves; what the
 * first user was already paid shows as their clawback). Later deliveries keep the new owner.
 */
export function moveFirstPromoterCommission(memory: FirstPromoterCommissionMemory, toAui: string, movedAt: string): FirstPromoterMove {
  const newest = [...memory.versions].sort((left, right) => compareMicros(left.versionDate, right.versionDate)).at(-1);
  if (newest === undefined || memory.newestObservation === null) return { kind: 'refused', problem: 'no version of this commission is known here (or only versions dated before owners were kept): wait for its next delivery or pull' };
  const problem = identifierProblem(toAui, 'aui');
  if (problem !== null) return { kind: 'refused', problem: `the new owner ${problem}` };
  if (isLedgerOwnedAui(toAui)) return { kind: 'refused', problem: 'the new owner must be a user, not a ledger-owned owner' };
  const from = memory.newestObservation.aui;
  if (from === toAui && memory.newestObservation.apiVersion === operatorMove) return { kind: 'moved', observation: memory.newestObservation, newVersion: null, from };
  if (from === toAui) return { kind: 'refused', problem: `the commission already belongs to ${toAui}` };
  const versionDate = fromEpochMicros(toEpochMicros(newest.versionDate) + 1n);
  const moved = withFirstPromoterVersion({ ...memory.newestObservation, deliveryId: null, apiVersion: operatorMove, observedAt: movedAt }, { versionDate, aui: toAui });
  // Keyed as the newest version's content under the new owner, so its later retries stay duplicates.
  const contentKey = firstPromoterContentKey({ ...moved, modifiedDate: newest.sourceTime });
  return { kind: 'moved', observation: moved, newVersion: { contentKey, versionDate, sourceTime: newest.sourceTime, tieTime: newest.tieTime, observation: moved }, from };
}

/** The `apiVersion` of an observation an operator's move published. */
const operatorMove = 'operator-move';

const compareMicros = (left: string, right: string): number => {
  const difference = toEpochMicros(left) - toEpochMicros(right);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
};
