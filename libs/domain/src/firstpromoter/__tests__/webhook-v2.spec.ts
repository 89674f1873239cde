import { checkCommissionObserved, CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { firstPromoterFixture } from '@earnings/testing';
import fc from 'fast-check';
import { FirstPromoterNormaliseContext, FirstPromoterWebhookResult, normaliseFirstPromoterWebhook } from '..';
import { editJson } from './edit-json';

const context: FirstPromoterNormaliseContext = { observedAt: '2026-10-09T10:00:01.5Z' };
const referralCampaign: FirstPromoterNormaliseContext = { ...context, rewardedPartyByCampaignId: new Map([['12', 'referral']]) };

const fixtureBody = (name: string): Buffer => firstPromoterFixture(name).body;
const bodyOf = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function observed(result: FirstPromoterWebhookResult): CommissionObserved {
  if (result.kind !== 'commission') throw new Error(`expected a commission, got ${JSON.stringify(result)}`);
  const checked = checkCommissionObserved(result.observation);
  if (!checked.ok) throw new Error(checked.reason);
  return result.observation;
}

/** A copy of the created fixture with dotted-path edits applied. */
const editedCreated = (edits: Record<string, unknown>): Buffer => editJson(fixtureBody('v2-commission-created-pending'), edits);

describe('FirstPromoter webhooks v2: the documentation fixtures', () => {
  it('created: 20 credits pending for the promoter by default', () => {
    const result = normaliseFirstPromoterWebhook(fixtureBody('v2-commission-created-pending'), context);
    expect(result).toMatchObject({ kind: 'commission', eventId: '3d1f7e0a-5b7c-4d8e-9f10-111111111111' });
    expect(observed(result)).toMatchObject({
      source: 'firstpromoter',
      channel: 'webhook',
      apiVersion: 'webhooks-v2',
      commissionId: '88120',
      aui: 'aui-fp-promoter-9001',
      state: 'PENDING',
      sourceStatus: 'pending',
      unit: 'credits',
      userAmount: '20',
      saleAmount: '49',
      saleCurrency: 'USD',
      merchantOrderId: 'in_1Q2w3E4r',
      createdDate: '2026-10-02T09:15:05.120000Z',
      modifiedDate: '2026-10-02T09:15:05.120000Z',
      deliveryId: '3d1f7e0a-5b7c-4d8e-9f10-111111111111',
      observedAt: '2026-10-09T10:00:01.500000Z',
    });
  });

  it('created: the referred customer owns it when the campaign rewards the referral', () => {
    expect(observed(normaliseFirstPromoterWebhook(fixtureBody('v2-commission-created-pending'), referralCampaign)).aui).toBe('aui-fp-referral-7001');
    const byDefault = { ...context, defaultRewardedParty: 'referral' as const };
    expect(observed(normaliseFirstPromoterWebhook(fixtureBody('v2-commission-created-pending'), byDefault)).aui).toBe('aui-fp-referral-7001');
  });

  it('updated pending -> approved: 20 credits payable, dated by status_updated_at', () => {
    const observation = observed(normaliseFirstPromoterWebhook(fixtureBody('v2-commission-updated-approved'), context));
    expect(observation).toMatchObject({ commissionId: '88120', state: 'PAYABLE', sourceStatus: 'approved', unit: 'credits', userAmount: '20' });
    expect(observation.modifiedDate).toBe('2026-10-09T10:00:00.000000Z');
  });

  it('updated pending -> denied: 5 points rejected', () => {
    const observation = observed(normaliseFirstPromoterWebhook(fixtureBody('v2-commission-updated-denied'), context));
    expect(observation).toMatchObject({ commissionId: '88121', state: 'REJECTED', sourceStatus: 'denied', unit: 'points', userAmount: '5' });
  });

  it('gives each version its own deterministic observation id', () => {
    const ids = ['v2-commission-created-pending', 'v2-commission-updated-approved', 'v2-commission-updated-denied'].map(
      (name) => observed(normaliseFirstPromoterWebhook(fixtureBody(name), context)).observationId,
    );
    expect(new Set(ids).size).toBe(3);
    const again = observed(normaliseFirstPromoterWebhook(fixtureBody('v2-commission-created-pending'), { ...context, observedAt: '2027-01-01T00:00:00Z' }));
    expect(again.observationId).toBe(ids[0]);
    expect(ids[0]).toMatch(/^firstpromoter:[0-9a-f]{64}$/);
  });

  it('carries no e-mail address or name from the payload', () => {
    for (const name of ['v2-commission-created-pending', 'v2-commission-updated-approved', 'v2-commission-updated-denied']) {
      const json = JSON.stringify(observed(normaliseFirstPromoterWebhook(fixtureBody(name), context)));
      expect(json).not.toMatch(/@|example\.test|Pat Promoter/);
    }
  });
});

describe('FirstPromoter webhooks v2: rules', () => {
  it('takes the new value of changes.status, case-insensitively, over data.status', () => {
    const body = editedCreated({ event_type: 'commission.updated', changes: { status: ['pending', 'APPROVED'] } });
    expect(observed(normaliseFirstPromoterWebhook(body, context))).toMatchObject({ state: 'PAYABLE', sourceStatus: 'approved' });
  });

  it('uses data.status when the update did not change the status', () => {
    const body = editedCreated({ event_type: 'commission.updated', changes: { amount: [10, 20] }, 'data.status': 'Denied' });
    expect(observed(normaliseFirstPromoterWebhook(body, context))).toMatchObject({ state: 'REJECTED', sourceStatus: 'denied' });
  });

  it('reads cash in cents as the account currency, exactly', () => {
    const body = editedCreated({ 'data.unit': 'cash', 'data.amount': 1470 });
    expect(observed(normaliseFirstPromoterWebhook(body, context))).toMatchObject({ unit: 'USD', userAmount: '14.7' });
    expect(observed(normaliseFirstPromoterWebhook(body, { ...context, accountCurrency: 'eur' }))).toMatchObject({ unit: 'EUR', userAmount: '14.7' });
  });

  it('keeps non-cash units lower-case and as counted', () => {
    for (const unit of ['credits', 'points', 'free_months', 'mon_discount', 'discount_per']) {
      const body = editedCreated({ 'data.unit': unit.toUpperCase(), 'data.amount': '3' });
      expect(observed(normaliseFirstPromoterWebhook(body, context))).toMatchObject({ unit, userAmount: '3' });
    }
  });

  it('files a commission without the chosen user id under the unattributed owner, never the other party', () => {
    const noCustId = editedCreated({ 'data.promoter_campaign.promoter.cust_id': undefined });
    expect(observed(normaliseFirstPromoterWebhook(noCustId, context)).aui).toBe(UNATTRIBUTED_AUI);
    const noReferral = editedCreated({ 'data.referral': null });
    expect(observed(normaliseFirstPromoterWebhook(noReferral, referralCampaign)).aui).toBe(UNATTRIBUTED_AUI);
  });

  it('finds the campaign through promoter_campaign.campaign.id too', () => {
    const body = editedCreated({ 'data.promoter_campaign.campaign_id': undefined });
    expect(observed(normaliseFirstPromoterWebhook(body, referralCampaign)).aui).toBe('aui-fp-referral-7001');
  });

  it('dates a commission without status_updated_at by created_at', () => {
    const body = editedCreated({ 'data.status_updated_at': null });
    expect(observed(normaliseFirstPromoterWebhook(body, context)).modifiedDate).toBe('2026-10-02T09:15:05.120000Z');
  });

  it('rejects a deleted commission at the deletion time', () => {
    const body = editedCreated({ event_type: 'commission.deleted', action: 'deleted', timestamp: '2026-10-20T08:00:00.25Z' });
    expect(observed(normaliseFirstPromoterWebhook(body, context))).toMatchObject({
      state: 'REJECTED',
      sourceStatus: 'deleted',
      modifiedDate: '2026-10-20T08:00:00.250000Z',
    });
  });

  it('acknowledges other entity types without reading them', () => {
    const body = bodyOf({ event_id: 'e-1', event_type: 'promoter.updated', entity_type: 'promoter', data: { email: 'x@example.test' } });
    expect(normaliseFirstPromoterWebhook(body, context)).toEqual({ kind: 'not-a-commission', eventId: 'e-1', eventType: 'promoter.updated' });
  });

  it('reports malformed bodies and fields without echoing values', () => {
    expect(normaliseFirstPromoterWebhook(Buffer.from('{"event_id":'), context)).toMatchObject({ kind: 'invalid', code: 'malformed-json' });
    expect(normaliseFirstPromoterWebhook(bodyOf([1]), context)).toMatchObject({ kind: 'invalid', code: 'invalid-field', field: '(body)' });
    expect(normaliseFirstPromoterWebhook(editedCreated({ event_id: undefined }), context)).toMatchObject({ code: 'missing-field', field: 'event_id' });
    expect(normaliseFirstPromoterWebhook(editedCreated({ 'data.amount': undefined }), context)).toMatchObject({ code: 'missing-field', field: 'data.amount' });
    expect(normaliseFirstPromoterWebhook(editedCreated({ 'data.unit': 'bananas' }), context)).toMatchObject({ code: 'invalid-field', field: 'data.unit' });
    expect(normaliseFirstPromoterWebhook(editedCreated({ 'data.status': 'paid' }), context)).toMatchObject({ code: 'invalid-field', field: 'data.status' });
    expect(normaliseFirstPromoterWebhook(editedCreated({ changes: { status: 'approved' } }), context)).toMatchObject({ code: 'invalid-field', field: 'changes.status' });
    expect(normaliseFirstPromoterWebhook(editedCreated({ 'data.created_at': 'yesterday' }), context)).toMatchObject({ code: 'invalid-field', field: 'data.created_at' });
    const tooLong = normaliseFirstPromoterWebhook(editedCreated({ 'data.amount': 0.12345678901234568 }), context);
    expect(tooLong).toMatchObject({ code: 'invalid-field', field: 'data.amount' });
    expect(JSON.stringify(tooLong)).not.toContain('0.123');
  });

  it('never throws, whatever JSON arrives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = normaliseFirstPromoterWebhook(bodyOf(value), context);
        if (result.kind === 'commission') expect(checkCommissionObserved(result.observation).ok).toBe(true);
      }),
    );
  });
});
