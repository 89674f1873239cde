import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { firstPromoterFixture } from '@earnings/testing';
import { decideLegacyFulfilmentAnswer, normaliseLegacyFulfilmentPending } from '../legacy-fulfilment';
import { normaliseFirstPromoterCommission } from '../commission';
import { assignFirstPromoterVersionDate, firstPromoterContentKey, withFirstPromoterVersionDate } from '../version-key';
import { promoterIdentityOf } from '../promoter-directory';
import { editJson } from './edit-json';

const context = { observedAt: '2026-10-09T10:00:01.000Z' };
const approvedData = () => JSON.parse(firstPromoterFixture('v2-commission-updated-approved').body.toString('utf8')).data as Record<string, unknown>;
const observe = (data: unknown, extra: object = {}): CommissionObserved => {
  const result = normaliseFirstPromoterCommission(data, { ...context, ...extra, channel: 'api', deliveryId: null });
  if (result.kind !== 'commission') throw new Error(result.message);
  return result.observation;
};

describe('FirstPromoter legacy answers', () => {
  const legacy = (edits: Record<string, unknown> = {}) => {
    const result = normaliseLegacyFulfilmentPending(editJson(firstPromoterFixture('legacy-fulfilment-pending').body, edits), context);
    if (result.kind === 'invalid') throw new Error(result.message);
    return result;
  };
  const facts = { deliveredUnits: new Set(['credits']), countedByWebhooksV2: false };

  it('200 for a known user in a delivered unit; 202 with the reason otherwise', () => {
    expect(decideLegacyFulfilmentAnswer(legacy(), facts)).toEqual({ status: 200, body: { status: 'recorded' } });
    expect(decideLegacyFulfilmentAnswer(legacy({ 'data.promoter.cust_id': '' }), facts).body).toEqual({ status: 'pending', reason: 'no-user' });
    expect(decideLegacyFulfilmentAnswer(legacy({ 'data.unit': 'points' }), facts).body).toEqual({ status: 'pending', reason: 'unit-not-delivered' });
    expect(decideLegacyFulfilmentAnswer(legacy(), { ...facts, countedByWebhooksV2: true }).body).toEqual({ status: 'pending', reason: 'counted-by-webhooks-v2' });
    expect(decideLegacyFulfilmentAnswer(legacy({ 'event.type': 'promoter_accepted' }), facts)).toEqual({ status: 202, body: { status: 'ignored', reason: 'not-fulfilment-pending' } });
  });
});

describe('FirstPromoter rewards go to the right person', () => {
  it('finds a promoter without cust_id in the directory, and otherwise leaves it unattributed', () => {
    const data = editJson(Buffer.from(JSON.stringify(approvedData())), { 'promoter_campaign.promoter.cust_id': undefined });
    const parsed = JSON.parse(data.toString('utf8'));
    expect(observe(parsed, { promoterUserIds: new Map([['9001', 'aui-known']]) }).aui).toBe('aui-known');
    expect(observe(parsed).aui).toBe(UNATTRIBUTED_AUI);
    expect(promoterIdentityOf(parsed)).toEqual({ promoterId: '9001', userId: null, campaignId: '12' });
  });

  it('decides the party per reward: its configuration, then its name, then the campaign', () => {
    const data = approvedData();
    const byCampaign = { rewardedPartyByCampaignId: new Map([['12', 'referral' as const]]) };
    expect(observe(data, byCampaign).aui).toBe('aui-fp-referral-7001');
    expect(observe({ ...data, reward: { id: 34, name: 'Promoter reward' } }, byCampaign).aui).toBe('aui-fp-promoter-9001');
    expect(observe({ ...data, reward: { id: 35, name: 'Friend: 1 free month' } }).aui).toBe('aui-fp-referral-7001');
    expect(observe(data, { ...byCampaign, rewardedPartyByRewardId: new Map([['33', 'promoter' as const]]) }).aui).toBe('aui-fp-promoter-9001');
  });

  it('refuses a cash amount that is not a whole number of cents', () => {
    const result = normaliseFirstPromoterCommission({ ...approvedData(), unit: 'cash', amount: '14.70' }, { ...context, channel: 'api', deliveryId: null });
    expect(result).toMatchObject({ kind: 'invalid', code: 'invalid-field', field: 'amount', message: expect.stringContaining('whole number of cents') });
    expect(observe({ ...approvedData(), unit: 'cash', amount: 1470 }).userAmount).toBe('14.7');
  });
});

describe('FirstPromoter version dates cover amount, unit and owner', () => {
  const first = observe(approvedData());
  const known = [{ contentKey: firstPromoterContentKey(first), versionDate: first.modifiedDate }];

  it('keeps the first date of a content seen before, so redeliveries and pulls stay duplicates', () => {
    expect(assignFirstPromoterVersionDate(first, known, '2026-11-01T00:00:00.000Z')).toBe(first.modifiedDate);
  });

  it('gives a changed amount with the same status_updated_at a later date and its own observation id', () => {
    const changed = observe({ ...approvedData(), amount: 25 });
    const date = assignFirstPromoterVersionDate(changed, known, '2026-10-09T10:00:00.000Z');
    expect(date).toBe('2026-10-09T10:00:00.001000Z');
    const redated = withFirstPromoterVersionDate(changed, date);
    expect(redated.modifiedDate).toBe(date);
    expect(redated.observationId).not.toBe(changed.observationId);
    expect(assignFirstPromoterVersionDate(changed, known, '2026-10-20T00:00:00.000Z')).toBe('2026-10-20T00:00:00.000000Z');
  });

  it('uses the source date when it is newer than everything known (a status change)', () => {
    const later = observe({ ...approvedData(), status_updated_at: '2026-10-30T00:00:00.000Z' });
    expect(assignFirstPromoterVersionDate(later, known, '2026-11-01T00:00:00.000Z')).toBe(later.modifiedDate);
    expect(later.modifiedDate).not.toBe(first.modifiedDate);
  });
});
