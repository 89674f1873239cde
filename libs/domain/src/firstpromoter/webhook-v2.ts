import { CommissionObserved } from '@earnings/contracts';
import { CommissionVersion, observeCommission } from './commission';
import { FirstPromoterInvalid, FirstPromoterNormaliseContext } from './context';
import { guarded, invalid, JsonRecord, optionalRecord, optionalTimestamp, parseJsonBody, requiredIdentifier, requiredRecord, requiredText, requiredTimestamp } from './fields';
import { FirstPromoterVersionTimes } from './version-order';

export type FirstPromoterWebhookResult =
  /** `times.tieTime`: when FirstPromoter says the event happened (the envelope's `timestamp`), if it said. */
  | { kind: 'commission'; eventId: string; observation: CommissionObserved; times: FirstPromoterVersionTimes }
  /** Another entity (promoter, referral, payout, ...): acknowledge it and keep the raw body. */
  | { kind: 'not-a-commission'; eventId: string; eventType: string }
  | FirstPromoterInvalid;

/**
 * A webhooks-v2 delivery: envelope `event_id` (the dedupe key), `event_type`, `changes`
 * (`field: [old, new]` on updates) and `data` (the full commission). The signature is checked
 * before this runs (verifyFirstPromoterWebhookSignature in @earnings/sources).
 */
export function normaliseFirstPromoterWebhook(rawBody: Buffer, context: FirstPromoterNormaliseContext): FirstPromoterWebhookResult {
  const parsed = parseJsonBody(rawBody);
  if (!parsed.ok) return parsed.invalid;
  return guarded(() => readEnvelope(requiredRecord(parsed.value, '(body)'), context));
}

function readEnvelope(envelope: JsonRecord, context: FirstPromoterNormaliseContext): FirstPromoterWebhookResult {
  const eventId = requiredIdentifier(envelope.event_id, 'event_id');
  const eventType = requiredText(envelope.event_type, 'event_type');
  if (!eventType.toLowerCase().startsWith('commission.')) return { kind: 'not-a-commission', eventId, eventType };
  const data = requiredRecord(envelope.data, 'data');
  const version = commissionVersion(envelope, data, eventType.toLowerCase());
  const observation = observeCommission(data, { ...context, channel: 'webhook', deliveryId: eventId }, version, 'data.');
  const times = { sourceTime: observation.modifiedDate, tieTime: optionalTimestamp(envelope.timestamp, 'timestamp') };
  return { kind: 'commission', eventId, observation, times };
}

/**
 * `commission.deleted` ends the commission at the deletion's time. Every other commission event
 * (created, updated, and the approved/denied/pending variants) carries the full state: the status
 * is the new value of `changes.status` when the event changed it, otherwise `data.status`.
 */
function commissionVersion(envelope: JsonRecord, data: JsonRecord, eventType: string): CommissionVersion {
  if (eventType === 'commission.deleted') return { kind: 'deleted', deletedAt: requiredTimestamp(envelope.timestamp, 'timestamp') };
  const changed = changedStatus(envelope.changes);
  if (changed !== undefined) return { kind: 'status', statusWord: changed, statusField: 'changes.status' };
  return { kind: 'status', statusWord: data.status, statusField: 'data.status' };
}

function changedStatus(changes: unknown): unknown {
  const status = optionalRecord(changes)?.status;
  if (status === undefined) return undefined;
  if (!Array.isArray(status) || status.length !== 2) throw invalid('changes.status', 'must be [old, new]');
  return status[1];
}
