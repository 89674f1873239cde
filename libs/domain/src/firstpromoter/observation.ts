import { createHash } from 'node:crypto';
import { checkCommissionObserved, CommissionObserved, CommissionState, ObservationChannel } from '@earnings/contracts';
import { FirstPromoterNormaliseContext } from './context';
import { identifierProblem } from '../input-rules';
import { FieldProblem, requiredTimestamp } from './fields';

/** What a FirstPromoter reading knows; everything else in CommissionObserved is fixed for this source. */
export interface FirstPromoterReading {
  channel: ObservationChannel;
  apiVersion: 'webhooks-v2' | 'legacy' | 'api-v2';
  commissionId: string;
  aui: string;
  state: CommissionState;
  sourceStatus: string;
  unit: string;
  userAmount: string;
  saleAmount: string | null;
  saleCurrency: string | null;
  merchantOrderId: string | null;
  createdDate: string | null;
  modifiedDate: string;
  deliveryId: string | null;
  /** FirstPromoter's `fraud_check` and `is_self_referral`, when it sent them (readFraudSignals). */
  fraudCheck?: string;
  isSelfReferral?: boolean;
}

/**
 * Deterministic: the same commission version gets the same id whichever way it arrived
 * (webhook, its redelivery, or the API pull), so the ledger can drop duplicates by id.
 * The channel and delivery id are left out on purpose.
 */
export function firstPromoterObservationId(reading: Pick<FirstPromoterReading, 'commissionId' | 'modifiedDate' | 'state' | 'userAmount' | 'unit' | 'aui'>): string {
  const identity = ['firstpromoter', reading.commissionId, reading.modifiedDate, reading.state, reading.userAmount, reading.unit, reading.aui];
  return 'firstpromoter:' + createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** Builds the event and checks it against the published schema, so no caller ever gets an invalid one. */
export function toObservation(reading: FirstPromoterReading, context: FirstPromoterNormaliseContext): CommissionObserved {
  const observation: CommissionObserved = {
    type: 'CommissionObserved',
    schemaVersion: 1,
    observationId: firstPromoterObservationId(reading),
    source: 'firstpromoter',
    channel: reading.channel,
    commissionId: reading.commissionId,
    aui: reading.aui,
    state: reading.state,
    sourceStatus: reading.sourceStatus,
    unit: reading.unit,
    userAmount: reading.userAmount,
    // FirstPromoter reports no partner-level split and never pays users on the partner's behalf.
    applicationAmount: null,
    paidByNetwork: false,
    saleAmount: reading.saleAmount,
    saleCurrency: reading.saleCurrency,
    applicationId: null,
    merchantId: null,
    deviceId: null,
    merchantOrderId: reading.merchantOrderId,
    merchantSkus: [],
    eventDate: null,
    lockingDate: null,
    createdDate: reading.createdDate,
    modifiedDate: reading.modifiedDate,
    deliveryId: reading.deliveryId,
    apiVersion: reading.apiVersion,
    observedAt: requiredTimestamp(context.observedAt, 'observedAt'),
    ...(reading.fraudCheck === undefined ? {} : { fraudCheck: reading.fraudCheck }),
    ...(reading.isSelfReferral === undefined ? {} : { isSelfReferral: reading.isSelfReferral }),
  };
  const checked = checkCommissionObserved(observation);
  if (!checked.ok) throw new FieldProblem('invalid-field', 'observation', checked.reason);
  return observation;
}

/**
 * FirstPromoter's fraud signals, read leniently (they are not the money's own fields, so they never
 * refuse a record): `fraud_check` kept when it is a clean short word, `unreadable` when it is
 * anything else (so it still holds the commission: when in doubt, hold); `is_self_referral` kept
 * when it is a JSON boolean. Absent fields stay absent.
 */
export function readFraudSignals(data: Record<string, unknown>): Pick<FirstPromoterReading, 'fraudCheck' | 'isSelfReferral'> {
  const signals: Pick<FirstPromoterReading, 'fraudCheck' | 'isSelfReferral'> = {};
  const fraud = data.fraud_check;
  if (fraud !== undefined && fraud !== null) {
    signals.fraudCheck = typeof fraud === 'string' && fraud.length <= 100 && identifierProblem(fraud, 'id') === null ? fraud : 'unreadable';
  }
  if (typeof data.is_self_referral === 'boolean') signals.isSelfReferral = data.is_self_referral;
  return signals;
}
