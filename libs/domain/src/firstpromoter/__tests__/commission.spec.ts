import { checkCommissionObserved } from '@earnings/contracts';
import { firstPromoterFixture } from '@earnings/testing';
import { normaliseFirstPromoterCommission, normaliseFirstPromoterWebhook } from '..';

const observedAt = '2026-10-09T11:00:00Z';
const webhookData = (name: string): Record<string, unknown> => JSON.parse(firstPromoterFixture(name).body.toString('utf8')).data;

describe('FirstPromoter API v2 commission items', () => {
  it('reads a list item the way the webhook reads its data', () => {
    const result = normaliseFirstPromoterCommission(webhookData('v2-commission-updated-approved'), { observedAt, channel: 'api', deliveryId: null });
    if (result.kind !== 'commission') throw new Error(JSON.stringify(result));
    expect(checkCommissionObserved(result.observation).ok).toBe(true);
    expect(result.observation).toMatchObject({
      channel: 'api',
      apiVersion: 'api-v2',
      deliveryId: null,
      commissionId: '88120',
      aui: 'aui-fp-promoter-9001',
      state: 'PAYABLE',
      unit: 'credits',
      userAmount: '20',
    });
  });

  it('gives the pulled version the same observation id as the pushed one, so the ledger keeps one', () => {
    const pulled = normaliseFirstPromoterCommission(webhookData('v2-commission-updated-approved'), { observedAt, channel: 'api', deliveryId: null });
    const pushed = normaliseFirstPromoterWebhook(firstPromoterFixture('v2-commission-updated-approved').body, { observedAt });
    if (pulled.kind !== 'commission' || pushed.kind !== 'commission') throw new Error('expected commissions');
    expect(pulled.observation.observationId).toBe(pushed.observation.observationId);
  });

  it('names fields without a prefix in API errors', () => {
    const item = { ...webhookData('v2-commission-created-pending'), id: undefined };
    expect(normaliseFirstPromoterCommission(item, { observedAt, channel: 'api', deliveryId: null })).toMatchObject({
      kind: 'invalid',
      code: 'missing-field',
      field: 'id',
    });
    expect(normaliseFirstPromoterCommission('88120', { observedAt, channel: 'api', deliveryId: null })).toMatchObject({ code: 'invalid-field' });
  });

  it('refuses an unusable observedAt rather than emitting a bad event', () => {
    const result = normaliseFirstPromoterCommission(webhookData('v2-commission-created-pending'), { observedAt: 'now', channel: 'api', deliveryId: null });
    expect(result).toMatchObject({ kind: 'invalid', field: 'observedAt' });
  });
});

describe('FirstPromoter fraud signals travel with the observation', () => {
  const read = (change: Record<string, unknown>) => {
    const result = normaliseFirstPromoterCommission({ ...webhookData('v2-commission-updated-approved'), ...change }, { observedAt, channel: 'api', deliveryId: null });
    if (result.kind !== 'commission') throw new Error(JSON.stringify(result));
    expect(checkCommissionObserved(result.observation).ok).toBe(true);
    return result.observation;
  };

  it('keeps fraud_check and is_self_referral as FirstPromoter sent them', () => {
    expect(read({})).toMatchObject({ fraudCheck: 'no_suspicion', isSelfReferral: false });
    expect(read({ fraud_check: 'same_ip_suspicion', is_self_referral: true })).toMatchObject({ fraudCheck: 'same_ip_suspicion', isSelfReferral: true });
  });

  it('never refuses a commission for them: an unclean word reads unreadable (still flagged), absent stays absent', () => {
    expect(read({ fraud_check: 'odd\u202eword' }).fraudCheck).toBe('unreadable');
    expect(read({ fraud_check: 42 }).fraudCheck).toBe('unreadable');
    const absent = read({ fraud_check: undefined, is_self_referral: undefined });
    expect('fraudCheck' in absent || 'isSelfReferral' in absent).toBe(false);
  });
});

