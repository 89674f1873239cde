import { checkCommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { firstPromoterFixture } from '@earnings/testing';
import { LegacyFulfilmentResult, normaliseLegacyFulfilmentPending, redactFirstPromoterBody } from '..';
import { editJson } from './edit-json';

const context = { observedAt: '2017-10-13T15:46:02Z' };
const legacyBody = (): Buffer => firstPromoterFixture('legacy-fulfilment-pending').body;
const secrets = /auth_token|temp_password|email|first_name|profile|da954kn43856nacueroytnjrwg46k5|dsf23fd3|John/;

function commission(result: LegacyFulfilmentResult): Extract<LegacyFulfilmentResult, { kind: 'commission' }> {
  if (result.kind !== 'commission') throw new Error(JSON.stringify(result));
  const checked = checkCommissionObserved(result.observation);
  if (!checked.ok) throw new Error(checked.reason);
  return result;
}

const editedLegacy = (edits: Record<string, unknown>): Buffer => editJson(legacyBody(), edits);

describe('FirstPromoter legacy fulfilment_pending', () => {
  it('credits AUI 23452 with 20 payable credits', () => {
    const result = commission(normaliseLegacyFulfilmentPending(legacyBody(), context));
    expect(result.eventId).toBe('5367');
    expect(result.observation).toMatchObject({
      source: 'firstpromoter',
      channel: 'legacy-webhook',
      apiVersion: 'legacy',
      commissionId: 'fulfilment:90',
      aui: '23452',
      state: 'PAYABLE',
      sourceStatus: 'fulfilment_pending',
      unit: 'credits',
      userAmount: '20',
      modifiedDate: '2017-10-13T15:46:01.606000Z',
      deliveryId: '5367',
    });
  });

  it('gives a retried delivery the same observation id', () => {
    const first = commission(normaliseLegacyFulfilmentPending(legacyBody(), context));
    const retry = commission(normaliseLegacyFulfilmentPending(legacyBody(), { observedAt: '2017-10-13T18:00:00Z' }));
    expect(retry.observation.observationId).toBe(first.observation.observationId);
  });

  it('keeps secrets and profile data out of the stored copy and the observation', () => {
    expect(legacyBody().toString('utf8')).toMatch(secrets); // the fixture really carries them
    const result = commission(normaliseLegacyFulfilmentPending(legacyBody(), context));
    expect(result.redactedBody.toString('utf8')).not.toMatch(secrets);
    expect(JSON.stringify(result.observation)).not.toMatch(secrets);
    const kept = JSON.parse(result.redactedBody.toString('utf8'));
    expect(kept.data).toMatchObject({ id: '90', amount: '20', unit: 'credits', promoter: { id: '234', cust_id: '23452' } });
    expect(redactFirstPromoterBody(legacyBody()).equals(result.redactedBody)).toBe(true);
  });

  it('redacts secret-like keys at any depth, inside arrays too', () => {
    const body = Buffer.from(
      JSON.stringify({ a: [{ api_secret: 's1', nested: { refresh_token: 't1', PayPal_Email: 'p@x', keep: 1 } }], Password: 'pw' }),
    );
    expect(JSON.parse(redactFirstPromoterBody(body).toString('utf8'))).toEqual({ a: [{ nested: { keep: 1 } }] });
  });

  it('redacts API keys and the promoter secrets of a webhooks v2 body the same way', () => {
    const body = Buffer.from(JSON.stringify({
      event_id: 'e-1', data: { id: 1, promoter_campaign: { promoter: { id: 9, cust_id: 'u-9', auth_token: 'tok', temp_password: 'pw', email: 'p@x' } }, api_key: 'k', 'X-Api-Key': 'k2' },
    }));
    expect(JSON.parse(redactFirstPromoterBody(body).toString('utf8'))).toEqual({ event_id: 'e-1', data: { id: 1, promoter_campaign: { promoter: { id: 9, cust_id: 'u-9' } } } });
  });

  it('stores only a digest of a body that is not JSON', () => {
    const raw = Buffer.from('auth_token=da954kn43856nacueroytnjrwg46k5&cust_id=1');
    const stored = redactFirstPromoterBody(raw).toString('utf8');
    expect(stored).not.toMatch(secrets);
    expect(JSON.parse(stored)).toMatchObject({ bytes: raw.length });
    expect(normaliseLegacyFulfilmentPending(raw, context)).toMatchObject({ kind: 'invalid', code: 'malformed-json' });
  });

  it('reads the current documentation example: numeric ids, free months', () => {
    const body = editedLegacy({
      'event.id': 13007875,
      'data.id': 2429153,
      'data.amount': 3,
      'data.unit': 'free_months',
      'data.created_at': '2023-08-23T11:06:02.607Z',
    });
    const result = commission(normaliseLegacyFulfilmentPending(body, context));
    expect(result.eventId).toBe('13007875');
    expect(result.observation).toMatchObject({ commissionId: 'fulfilment:2429153', unit: 'free_months', userAmount: '3', createdDate: '2023-08-23T11:06:02.607000Z' });
  });

  it('reads legacy cash in cents too', () => {
    const body = editedLegacy({ 'data.unit': 'cash', 'data.amount': '2550' });
    expect(commission(normaliseLegacyFulfilmentPending(body, { ...context, accountCurrency: 'usd' })).observation).toMatchObject({ unit: 'USD', userAmount: '25.5' });
  });

  it('keeps a promoter without cust_id as unattributed', () => {
    const body = editedLegacy({ 'data.promoter.cust_id': '' });
    expect(commission(normaliseLegacyFulfilmentPending(body, context)).observation.aui).toBe(UNATTRIBUTED_AUI);
  });

  it('refuses other legacy events and incomplete bodies', () => {
    // Another legacy event type is acknowledged without effect: a 4xx would be retried all day.
    expect(normaliseLegacyFulfilmentPending(editedLegacy({ 'event.type': 'reward_created' }), context)).toMatchObject({ kind: 'not-fulfilment-pending', eventType: 'reward_created' });
    expect(normaliseLegacyFulfilmentPending(editedLegacy({ 'event.created_at': undefined }), context)).toMatchObject({ code: 'missing-field', field: 'event.created_at' });
    expect(normaliseLegacyFulfilmentPending(editedLegacy({ 'data.id': undefined }), context)).toMatchObject({ code: 'missing-field', field: 'data.id' });
  });
});
