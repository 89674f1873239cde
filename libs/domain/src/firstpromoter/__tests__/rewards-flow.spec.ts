import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { firstPromoterFixture } from '@earnings/testing';
import { decideLegacyFulfilment, normaliseLegacyFulfilmentPending } from '../legacy-fulfilment';
import { normaliseFirstPromoterCommission } from '../commission';
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
  const facts = { deliveredUnits: new Set(['credits']), v2IsTheRecord: false };

  it('without v2: booked, 200 for a known user in a delivered unit, 202 with the reason otherwise', () => {
    expect(decideLegacyFulfilment(legacy(), facts)).toEqual({ answer: { status: 200, body: { status: 'recorded' } }, books: true });
    expect(decideLegacyFulfilment(legacy({ 'data.promoter.cust_id': '' }), facts)).toEqual({ answer: { status: 202, body: { status: 'pending', reason: 'no-user' } }, books: true });
    expect(decideLegacyFulfilment(legacy({ 'data.unit': 'points' }), facts)).toEqual({ answer: { status: 202, body: { status: 'pending', reason: 'unit-not-delivered' } }, books: true });
    expect(decideLegacyFulfilment(legacy({ 'event.type': 'promoter_accepted' }), facts)).toEqual({ answer: { status: 202, body: { status: 'ignored', reason: 'not-fulfilment-pending' } }, books: false });
  });

  it('with v2 recording commissions: never booked, kept pending for mark_fulfilled to complete, in any unit and for any user', () => {
    for (const edits of [{}, { 'data.promoter.cust_id': '' }, { 'data.unit': 'points' }]) {
      expect(decideLegacyFulfilment(legacy(edits), { ...facts, v2IsTheRecord: true })).toEqual({ answer: { status: 202, body: { status: 'pending', reason: 'counted-by-v2' } }, books: false });
    }
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
