import { identifierProblem } from '../input-rules';
import { isRecord, JsonRecord, optionalRecord } from './fields';

/** What one FirstPromoter payload says about its promoter, for the promoter directory. */
export interface FirstPromoterPromoterIdentity {
  promoterId: string;
  /** The partner's user id (`cust_id`); null when this payload does not carry it (the API's commissions never do). */
  userId: string | null;
  /** The campaign, so a legacy fulfilment of a campaign that also sends webhooks v2 is known to be counted there. */
  campaignId: string | null;
}

/**
 * The promoter of a commission (`promoter_campaign.promoter`) or of a legacy body (`promoter`).
 * Read leniently and never throws: the normalisers report bad fields; this only feeds the
 * directory, and an id that breaks the identifier rule is simply not learnt.
 */
export function promoterIdentityOf(commission: unknown): FirstPromoterPromoterIdentity | null {
  if (!isRecord(commission)) return null;
  const link = optionalRecord(commission.promoter_campaign);
  const promoter = optionalRecord(link?.promoter) ?? optionalRecord(commission.promoter);
  const promoterId = idOrNull(promoter?.id, 'id');
  if (promoterId === null) return null;
  const campaignId = idOrNull(link?.campaign_id, 'id') ?? idOrNull(optionalRecord(link?.campaign)?.id, 'id') ?? idOrNull(optionalRecord(commission.campaign)?.id, 'id');
  return { promoterId, userId: idOrNull(promoter?.cust_id, 'aui'), campaignId };
}

/** The promoter of a webhook v2 body's `data`, or of a legacy body's `data`. */
export function promoterIdentityOfBody(rawBody: Buffer): FirstPromoterPromoterIdentity | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  return isRecord(body) ? promoterIdentityOf((body as JsonRecord).data) : null;
}

function idOrNull(value: unknown, kind: 'id' | 'aui'): string | null {
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : null;
  if (text === null || text === '') return null;
  return identifierProblem(text, kind) === null ? text : null;
}
