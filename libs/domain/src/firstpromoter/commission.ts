import { CommissionObserved, CommissionState } from '@earnings/contracts';
import { FirstPromoterInvalid, FirstPromoterNormaliseContext } from './context';
import { guarded, JsonRecord, optionalDecimal, optionalIdentifier, optionalTimestamp, requiredIdentifier, requiredRecord, requiredTimestamp } from './fields';
import { FirstPromoterReading, readFraudSignals, toObservation } from './observation';
import { accountCurrency, centsToUnits, readAui, readReward, readStatus, stateForStatus } from './rewards';
import { FirstPromoterVersionTimes } from './version-order';
import { toEpochMicros } from '../time/source-timestamp';

export type FirstPromoterCommissionChannel = 'webhook' | 'api';

export type FirstPromoterCommissionContext = FirstPromoterNormaliseContext & {
  channel: FirstPromoterCommissionChannel;
  deliveryId: string | null;
};

/** What the webhook envelope says beyond `data`: the new status from `changes`, or a deletion. */
export type CommissionVersion =
  | { kind: 'status'; statusWord: unknown; statusField: string }
  | { kind: 'deleted'; deletedAt: string };

/** A commission read: the observation, dated by the source's own time (`modifiedDate` = `times.sourceTime`). */
export type FirstPromoterCommissionReading = { kind: 'commission'; observation: CommissionObserved; times: FirstPromoterVersionTimes };

/**
 * One commission as the API v2 serialises it (a `GET /commissions` item, or a webhook's `data`).
 * Its own `status` gives the state. A pull has no event time: the caller gives the tie time.
 */
export function normaliseFirstPromoterCommission(commission: unknown, context: FirstPromoterCommissionContext): FirstPromoterCommissionReading | FirstPromoterInvalid {
  return guarded(() => {
    const data = requiredRecord(commission, 'commission');
    const version: CommissionVersion = { kind: 'status', statusWord: data.status, statusField: 'status' };
    const observation = observeCommission(data, context, version, '');
    return { kind: 'commission' as const, observation, times: { sourceTime: observation.modifiedDate, tieTime: null } };
  });
}

/** Shared by the API and webhook paths; `prefix` locates fields in error messages (`data.` in webhooks). */
export function observeCommission(
  data: JsonRecord,
  context: FirstPromoterCommissionContext,
  version: CommissionVersion,
  prefix: string,
): CommissionObserved {
  const standing = readStanding(data, version, prefix);
  const reading: FirstPromoterReading = {
    channel: context.channel,
    apiVersion: apiVersionFor(context.channel),
    commissionId: requiredIdentifier(data.id, `${prefix}id`),
    aui: readAui(data, context, prefix),
    ...standing,
    ...readReward(data.unit, data.amount, context, prefix),
    ...readSale(data, context, prefix),
    merchantOrderId: optionalIdentifier(data.event_id, `${prefix}event_id`),
    createdDate: optionalTimestamp(data.created_at, `${prefix}created_at`),
    deliveryId: context.deliveryId,
    ...readFraudSignals(data),
  };
  return toObservation(reading, context);
}

interface Standing {
  state: CommissionState;
  sourceStatus: string;
  modifiedDate: string;
}

function readStanding(data: JsonRecord, version: CommissionVersion, prefix: string): Standing {
  switch (version.kind) {
    case 'status': {
      const status = readStatus(version.statusWord, version.statusField);
      return { state: stateForStatus(status), sourceStatus: status, modifiedDate: statusDate(data, prefix) };
    }
    case 'deleted': {
      // Deleted is a state with its time: it counts nowhere. status_updated_at does not move on
      // deletion, so the deletion's own time (never before the last status change) dates it.
      const lastChange = changeDate(data, prefix);
      return { state: 'REJECTED', sourceStatus: 'deleted', modifiedDate: lastChange === null ? version.deletedAt : laterOf(version.deletedAt, lastChange) };
    }
  }
}

/**
 * The version's source time: the later of `status_updated_at` and `updated_at` (the API v2
 * commission documents only the first; a payload that carries the second moves with every
 * change), else `created_at`. It comes from the commission itself, not the envelope, so a webhook
 * and the API pull of the same version carry the same date and the same observation id.
 */
function statusDate(data: JsonRecord, prefix: string): string {
  return changeDate(data, prefix) ?? requiredTimestamp(data.created_at, `${prefix}created_at`);
}

function changeDate(data: JsonRecord, prefix: string): string | null {
  const statusUpdated = optionalTimestamp(data.status_updated_at, `${prefix}status_updated_at`);
  const updated = optionalTimestamp(data.updated_at, `${prefix}updated_at`);
  if (statusUpdated === null || updated === null) return statusUpdated ?? updated;
  return laterOf(statusUpdated, updated);
}

const laterOf = (left: string, right: string): string => (toEpochMicros(left) >= toEpochMicros(right) ? left : right);

/** `sale_amount` is documented in cents in the account's currency, whatever the reward unit. */
function readSale(data: JsonRecord, context: FirstPromoterNormaliseContext, prefix: string): { saleAmount: string | null; saleCurrency: string | null } {
  const cents = optionalDecimal(data.sale_amount, `${prefix}sale_amount`);
  if (cents === null) return { saleAmount: null, saleCurrency: null };
  return { saleAmount: centsToUnits(cents), saleCurrency: accountCurrency(context) };
}

function apiVersionFor(channel: FirstPromoterCommissionChannel): FirstPromoterReading['apiVersion'] {
  switch (channel) {
    case 'webhook':
      return 'webhooks-v2';
    case 'api':
      return 'api-v2';
  }
}
