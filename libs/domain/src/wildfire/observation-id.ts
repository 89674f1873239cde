import { createHash } from 'node:crypto';
import type { CommissionObserved } from '@earnings/contracts';

export type ObservationIdFields = Pick<CommissionObserved, 'source' | 'commissionId' | 'modifiedDate' | 'state' | 'userAmount' | 'unit' | 'aui'>;

/**
 * Deterministic: the same version of a commission gets the same id whichever way it arrived
 * (callback or API, any version or letter case), so consumers can drop repeats by id. The channel
 * and delivery id are deliberately left out for that reason. The fields are hashed as a JSON
 * array, so no two different field lists can produce the same hashed text.
 */
export function wildfireObservationId(fields: ObservationIdFields): string {
  const { source, commissionId, modifiedDate, state, userAmount, unit, aui } = fields;
  const hashed = JSON.stringify([source, commissionId, modifiedDate, state, userAmount, unit, aui]);
  return `wildfire:${createHash('sha256').update(hashed, 'utf8').digest('hex')}`;
}
