import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { identifierLengthMax } from '../input-rules';
import { FirstPromoterInvalid, FirstPromoterNormaliseContext } from './context';
import { guarded, invalid, JsonRecord, optionalIdentifier, optionalRecord, optionalTimestamp, parseJsonBody, requiredIdentifier, requiredRecord, requiredText, requiredTimestamp } from './fields';
import { toObservation } from './observation';
import { redactFirstPromoterJson } from './redaction';
import { readReward, userIdOrUnattributed } from './rewards';
import { FirstPromoterVersionTimes } from './version-order';

export type LegacyFulfilmentResult =
  | { kind: 'commission'; eventId: string; observation: CommissionObserved; times: FirstPromoterVersionTimes; campaignId: string | null; redactedBody: Buffer }
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
export type LegacyPendingReason = 'no-user' | 'unit-not-delivered' | 'counted-by-v2';

export interface LegacyDeliveryFacts {
  /** Reward units this deployment delivers (FIRSTPROMOTER_DELIVERED_UNITS). */
  deliveredUnits: ReadonlySet<string>;
  /**
   * Whether this deployment records FirstPromoter commissions by v2 (webhooks v2 or the API pull).
   * Then every reward already arrives as a v2 commission, by FirstPromoter's own id.
   */
  v2IsTheRecord: boolean;
}

/** The answer, and whether the fulfilment is booked as a commission of its own. */
export interface LegacyFulfilmentDecision {
  answer: LegacyFulfilmentAnswer;
  books: boolean;
}

/**
 * One reward, one delivery, whichever channel speaks first. With v2 recording commissions the
 * legacy fulfilment books nothing and stays pending (202): FirstPromoter completes it when the v2
 * commission is marked fulfilled. Nothing documented ties a fulfilment id to a commission id, so
 * matching the two would be a guess. Without v2, the fulfilment is booked, and 200 only once it is
 * recorded for a known user in a unit this deployment delivers (delivery is then retried until done).
 */
export function decideLegacyFulfilment(result: Exclude<LegacyFulfilmentResult, FirstPromoterInvalid>, facts: LegacyDeliveryFacts): LegacyFulfilmentDecision {
  if (result.kind === 'not-fulfilment-pending') return { answer: { status: 202, body: { status: 'ignored', reason: 'not-fulfilment-pending' } }, books: false };
  if (facts.v2IsTheRecord) return { answer: pending('counted-by-v2'), books: false };
  if (result.observation.aui === UNATTRIBUTED_AUI) return { answer: pending('no-user'), books: true };
  if (!facts.deliveredUnits.has(result.observation.unit)) return { answer: pending('unit-not-delivered'), books: true };
  return { answer: { status: 200, body: { status: 'recorded' } }, books: true };
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
  const redactedBody = Buffer.from(JSON.stringify(redactFirstPromoterJson(body)), 'utf8');
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
  return { kind: 'commission', eventId, observation, times: { sourceTime: observation.modifiedDate, tieTime: null }, campaignId, redactedBody };
}
