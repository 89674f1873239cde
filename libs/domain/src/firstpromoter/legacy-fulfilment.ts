import { CommissionObserved } from '@earnings/contracts';
import { identifierLengthMax } from '../input-rules';
import { FirstPromoterInvalid, FirstPromoterNormaliseContext } from './context';
import { guarded, invalid, JsonRecord, optionalRecord, optionalTimestamp, parseJsonBody, requiredIdentifier, requiredRecord, requiredText, requiredTimestamp } from './fields';
import { toObservation } from './observation';
import { redactJson } from './redaction';
import { readReward, userIdOrUnattributed } from './rewards';

export type LegacyFulfilmentResult =
  | { kind: 'commission'; eventId: string; observation: CommissionObserved; redactedBody: Buffer }
  | FirstPromoterInvalid;

/**
 * FirstPromoter documents the legacy `data.id` as the "fulfilment object id": the record of
 * delivering a reward, not the commission. Nothing documented ties fulfilment ids to v2
 * commission ids, so the two cannot be assumed to share one id space; a bare `90` here could
 * be mistaken for commission 90 and overwrite an unrelated commission. The prefix keeps them apart.
 */
export function legacyFulfilmentCommissionId(fulfilmentId: string): string {
  return `fulfilment:${fulfilmentId}`;
}

/** The prefix takes room from the identifier's bound: the fulfilment id itself gets what is left. */
function fulfilmentCommissionIdOf(value: unknown): string {
  const commissionId = legacyFulfilmentCommissionId(requiredIdentifier(value, 'data.id'));
  if (commissionId.length > identifierLengthMax) throw invalid('data.id', `is longer than ${identifierLengthMax - legacyFulfilmentCommissionId('').length} characters`);
  return commissionId;
}

/**
 * Legacy `fulfilment_pending`: fired when a reward is prepared for fulfilment, which happens on
 * approval (immediately after attribution when auto-approve is on). So the reward is approved:
 * PAYABLE. `data.status` ("pending") is the fulfilment's own state, not the commission's, so the
 * source status recorded is the event type. The body is unsigned; the endpoint authenticates it.
 */
export function normaliseLegacyFulfilmentPending(rawBody: Buffer, context: FirstPromoterNormaliseContext): LegacyFulfilmentResult {
  const parsed = parseJsonBody(rawBody);
  if (!parsed.ok) return parsed.invalid;
  return guarded(() => readLegacyBody(requiredRecord(parsed.value, '(body)'), context));
}

function readLegacyBody(body: JsonRecord, context: FirstPromoterNormaliseContext): LegacyFulfilmentResult {
  const event = requiredRecord(body.event, 'event');
  const eventId = requiredIdentifier(event.id, 'event.id');
  const eventType = requiredText(event.type, 'event.type').toLowerCase();
  if (eventType !== 'fulfilment_pending') throw invalid('event.type', 'must be fulfilment_pending');
  const data = requiredRecord(body.data, 'data');
  const observation = toObservation(
    {
      channel: 'legacy-webhook',
      apiVersion: 'legacy',
      commissionId: fulfilmentCommissionIdOf(data.id),
      // Legacy campaigns webhooks are about the promoter: its cust_id is the AUI.
      aui: userIdOrUnattributed(optionalRecord(data.promoter)?.cust_id, 'data.promoter.cust_id'),
      state: 'PAYABLE',
      sourceStatus: eventType,
      ...readReward(data.unit, data.amount, context, 'data.'),
      saleAmount: null,
      saleCurrency: null,
      merchantOrderId: null,
      createdDate: optionalTimestamp(data.created_at, 'data.created_at'),
      // FirstPromoter retries one event up to 7 times with the same id and created_at: same observation id.
      modifiedDate: requiredTimestamp(event.created_at, 'event.created_at'),
      deliveryId: eventId,
    },
    context,
  );
  return { kind: 'commission', eventId, observation, redactedBody: Buffer.from(JSON.stringify(redactJson(body)), 'utf8') };
}
