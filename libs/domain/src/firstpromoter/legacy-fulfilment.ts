import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { identifierLengthMax } from '../input-rules';
import { FirstPromoterInvalid, FirstPromoterNormaliseContext } from './context';
import { guarded, invalid, JsonRecord, optionalIdentifier, optionalRecord, optionalTimestamp, parseJsonBody, requiredIdentifier, requiredRecord, requiredText, requiredTimestamp } from './fields';
import { toObservation } from './observation';
import { redactJson } from './redaction';
import { readReward, userIdOrUnattributed } from './rewards';

export type LegacyFulfilmentResult =
  | { kind: 'commission'; eventId: string; observation: CommissionObserved; campaignId: string | null; redactedBody: Buffer }
  /** Another legacy event type: acknowledged without effect (a 4xx would be retried all day). */
  | { kind: 'not-fulfilment-pending'; eventId: string; eventType: string; redactedBody: Buffer }
  | FirstPromoterInvalid;

/**
 * The legacy response code is the protocol: 200 makes FirstPromoter mark the reward completed,
 * any other 2xx keeps it pending (nothing else happens), anything else is retried 7 times a day.
 */
export type LegacyFulfilmentAnswer =
  | { status: 200; body: { status: 'recorded' } }
  | { status: 202; body: { status: 'pending'; reason: LegacyPendingReason } }
  | { status: 202; body: { status: 'ignored'; reason: 'not-fulfilment-pending' } };

/** Why a fulfilment stays pending at FirstPromoter; each is recorded for the operator. */
export type LegacyPendingReason = 'no-user' | 'unit-not-delivered' | 'counted-by-webhooks-v2';

export interface LegacyDeliveryFacts {
  /** Reward units this deployment delivers (FIRSTPROMOTER_DELIVERED_UNITS). */
  deliveredUnits: ReadonlySet<string>;
  /** Whether webhooks v2 already reported this reward (same campaign, user, unit and amount): then v2 is the record and this fulfilment is not booked again. */
  countedByWebhooksV2: boolean;
}

/** 200 only once the reward is recorded for a known user in a unit this deployment delivers. */
export function decideLegacyFulfilmentAnswer(result: Exclude<LegacyFulfilmentResult, FirstPromoterInvalid>, facts: LegacyDeliveryFacts): LegacyFulfilmentAnswer {
  if (result.kind === 'not-fulfilment-pending') return { status: 202, body: { status: 'ignored', reason: 'not-fulfilment-pending' } };
  if (facts.countedByWebhooksV2) return pending('counted-by-webhooks-v2');
  if (result.observation.aui === UNATTRIBUTED_AUI) return pending('no-user');
  if (!facts.deliveredUnits.has(result.observation.unit)) return pending('unit-not-delivered');
  return { status: 200, body: { status: 'recorded' } };
}

const pending = (reason: LegacyPendingReason): LegacyFulfilmentAnswer => ({ status: 202, body: { status: 'pending', reason } });

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
  const redactedBody = Buffer.from(JSON.stringify(redactJson(body)), 'utf8');
  if (eventType !== 'fulfilment_pending') return { kind: 'not-fulfilment-pending', eventId, eventType, redactedBody };
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
  const campaignId = optionalIdentifier(optionalRecord(data.campaign)?.id, 'data.campaign.id');
  return { kind: 'commission', eventId, observation, campaignId, redactedBody };
}
