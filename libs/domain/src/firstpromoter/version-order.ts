import { createHash } from 'node:crypto';
import { checkCommissionObserved, CommissionObserved } from '@earnings/contracts';
import { canonicalTimestamp, fromEpochMicros, toEpochMicros } from '../time/source-timestamp';
import { firstPromoterObservationId } from './observation';

/**
 * FirstPromoter's own clock for one version of a commission. `sourceTime` is the commission's
 * time: `status_updated_at` (or `updated_at` when sent, whichever is later), the deletion time of
 * a deletion, `event.created_at` of a legacy fulfilment. `tieTime` only orders versions that share
 * a source time (an amount change keeps `status_updated_at`): the webhook envelope's `timestamp`,
 * or when a pull listed the commission. FirstPromoter retries a failed delivery 20, 40 and 60
 * minutes later with its original times, so a late retry sorts where it happened, never last.
 */
export interface FirstPromoterVersionTimes {
  sourceTime: string;
  tieTime: string | null;
}

/** A version ingest already dated: its content, its times and the date it was published with. */
export interface KnownFirstPromoterVersion extends FirstPromoterVersionTimes {
  contentKey: string;
  versionDate: string;
}

/**
 * Where a delivery falls among the known versions of its commission:
 * `known`: the same version again (a retry, or a pull listing what a webhook said): its first date;
 * `newest`: later than every known version: the ledger applies it;
 * `older`: new content, but a known version is later by the source's times (a late retry): dated
 * below that version, so the ledger counts it as a duplicate.
 */
export type FirstPromoterVersionPlace =
  | { kind: 'known'; versionDate: string }
  | { kind: 'newest'; versionDate: string }
  | { kind: 'older'; versionDate: string };

/**
 * One version's content: FirstPromoter's own date and what decides balances (state, amount, unit,
 * owner). Computed before dating, from the observation as normalised.
 */
export function firstPromoterContentKey(observation: CommissionObserved): string {
  const content = [observation.modifiedDate, observation.state, observation.sourceStatus, observation.userAmount, observation.unit, observation.aui];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

interface Point {
  source: bigint;
  /** Null sorts first: a version dated before tie times were kept. */
  tie: bigint | null;
  date: bigint;
  contentKey: string;
}

const pointOf = (version: KnownFirstPromoterVersion): Point => ({
  source: toEpochMicros(version.sourceTime),
  tie: version.tieTime === null ? null : toEpochMicros(version.tieTime),
  date: toEpochMicros(version.versionDate),
  contentKey: version.contentKey,
});

function compareKeys(left: Pick<Point, 'source' | 'tie'>, right: Pick<Point, 'source' | 'tie'>): number {
  if (left.source !== right.source) return left.source < right.source ? -1 : 1;
  if (left.tie === right.tie) return 0;
  if (left.tie === null) return -1;
  if (right.tie === null) return 1;
  return left.tie < right.tie ? -1 : 1;
}

/**
 * Dates a delivery by the source's times, never by arrival. The first version at a source time is
 * dated exactly at it (so a webhook and a pull of one version agree); later content at the same
 * source time follows one microsecond after the last; content that a known version outranks is
 * placed between its neighbours, within the source time's own millisecond when FirstPromoter gave
 * milliseconds, and is never dated after a version the source dated later.
 */
export function placeFirstPromoterVersion(contentKey: string, times: FirstPromoterVersionTimes, known: readonly KnownFirstPromoterVersion[]): FirstPromoterVersionPlace {
  const key = { source: toEpochMicros(times.sourceTime), tie: times.tieTime === null ? null : toEpochMicros(times.tieTime) };
  const ordered = known.map(pointOf).sort((left, right) => compareKeys(left, right) || (left.date < right.date ? -1 : left.date > right.date ? 1 : 0));
  const before = ordered.filter((point) => compareKeys(point, key) <= 0).at(-1);
  const after = ordered.find((point) => compareKeys(point, key) > 0);
  if (before?.contentKey === contentKey) return { kind: 'known', versionDate: fromEpochMicros(before.date) };
  if (after?.contentKey === contentKey) return { kind: 'known', versionDate: fromEpochMicros(after.date) };
  const lowest = before === undefined || before.date < key.source ? key.source : before.date + 1n;
  if (after === undefined) return { kind: 'newest', versionDate: fromEpochMicros(lowest) };
  const highest = minOf(key.source + sameSourceTimeSpanMicros(key.source) - 1n, after.date - 1n);
  // No room left between its neighbours: the older neighbour's date, still below the newer version.
  const date = lowest <= highest ? lowest + (highest - lowest) / 2n : (before?.date ?? after.date - 1n);
  return { kind: 'older', versionDate: fromEpochMicros(date) };
}

/** A source time in whole milliseconds stands for its whole millisecond; finer times for themselves. */
function sameSourceTimeSpanMicros(sourceMicros: bigint): bigint {
  return sourceMicros % 1000n === 0n ? 1000n : 1n;
}

const minOf = (left: bigint, right: bigint): bigint => (left < right ? left : right);

/** The canonical form of a source time, for KnownFirstPromoterVersion rows. */
export function canonicalVersionTimes(times: FirstPromoterVersionTimes): FirstPromoterVersionTimes {
  return { sourceTime: canonicalTimestamp(times.sourceTime), tieTime: times.tieTime === null ? null : canonicalTimestamp(times.tieTime) };
}

/** The observation under another version date (and owner), with the id that gives it. */
export function withFirstPromoterVersion(observation: CommissionObserved, change: { versionDate: string; aui?: string }): CommissionObserved {
  const aui = change.aui ?? observation.aui;
  if (change.versionDate === observation.modifiedDate && aui === observation.aui) return observation;
  const redated: CommissionObserved = { ...observation, aui, modifiedDate: change.versionDate };
  redated.observationId = firstPromoterObservationId(redated);
  const checked = checkCommissionObserved(redated);
  if (!checked.ok) throw new Error(`redated observation of ${observation.commissionId} breaks its schema: ${checked.reason}`);
  return redated;
}
