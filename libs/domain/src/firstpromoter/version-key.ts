import { createHash } from 'node:crypto';
import { checkCommissionObserved, CommissionObserved } from '@earnings/contracts';
import { toEpochMicros } from '../time/source-timestamp';
import { firstPromoterObservationId } from './observation';

/**
 * FirstPromoter's only version date is `status_updated_at`: an amount, unit or attribution change
 * with the same status keeps it, and the ledger (which applies only strictly newer dates) would
 * drop the change as a duplicate. So ingest gives each distinct content of a commission its own
 * version date: the same content always gets the date it got first (redeliveries and pulls stay
 * duplicates), and new content gets a date after every earlier one.
 */
export interface KnownFirstPromoterVersion {
  contentKey: string;
  versionDate: string;
}

/**
 * One version's content: FirstPromoter's own date (a re-approval is a new version even with the
 * same amount) and what decides balances: state, amount, unit and owner. Computed before redating.
 */
export function firstPromoterContentKey(observation: CommissionObserved): string {
  const content = [observation.modifiedDate, observation.state, observation.sourceStatus, observation.userAmount, observation.unit, observation.aui];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/**
 * The version date for this content. `changedAt` is when FirstPromoter reported the change (the
 * webhook envelope's timestamp, or the pull's time): used when the source date is not newer than
 * what is known, and moved one millisecond past the latest known date if it is not later either.
 */
export function assignFirstPromoterVersionDate(observation: CommissionObserved, known: readonly KnownFirstPromoterVersion[], changedAt: string): string {
  const contentKey = firstPromoterContentKey(observation);
  const same = known.find((version) => version.contentKey === contentKey);
  if (same !== undefined) return same.versionDate;
  const latestMicros = known.reduce((latest, version) => (toEpochMicros(version.versionDate) > latest ? toEpochMicros(version.versionDate) : latest), -1n);
  if (toEpochMicros(observation.modifiedDate) > latestMicros) return observation.modifiedDate;
  const changedMicros = toEpochMicros(changedAt);
  return canonicalOfMicros(changedMicros > latestMicros ? changedMicros : latestMicros + 1000n);
}

/** The event schema's form: six fractional digits, UTC. */
function canonicalOfMicros(micros: bigint): string {
  const milliseconds = new Date(Number(micros / 1000n)).toISOString();
  return milliseconds.replace('Z', `${String(micros % 1000n).padStart(3, '0')}Z`);
}

/** The observation under another version date, with the id that date gives it. */
export function withFirstPromoterVersionDate(observation: CommissionObserved, versionDate: string): CommissionObserved {
  if (versionDate === observation.modifiedDate) return observation;
  const redated: CommissionObserved = { ...observation, modifiedDate: versionDate };
  redated.observationId = firstPromoterObservationId(redated);
  const checked = checkCommissionObserved(redated);
  if (!checked.ok) throw new Error(`redated observation of ${observation.commissionId} breaks its schema: ${checked.reason}`);
  return redated;
}
