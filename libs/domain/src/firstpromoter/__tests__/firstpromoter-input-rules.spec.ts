import fc from 'fast-check';
import { checkCommissionObserved } from '@earnings/contracts';
import { firstPromoterFixture } from '@earnings/testing';
import { normaliseFirstPromoterWebhook, normaliseLegacyFulfilmentPending } from '..';
import { editJson } from './edit-json';

/**
 * Issue 17: whatever a signed webhook holds, the normaliser answers a refusal naming a field
 * (400 at the edge) or an observation the event schema accepts; never an exception (500).
 */
const context = { observedAt: '2026-10-09T10:00:01.5Z' };
const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(fc.constantFrom('a', '1', ' ', '~', '.', '-', 'E', '\u0000', '\ud800', '\u202e', '\u2066'), { maxLength: 30 }).map((parts) => parts.join('')),
  fc.constantFrom('1E400', '9'.repeat(200), '', '9999-12-31T23:59:59-23:59', '2026-10-02T09:15:05+99:99', ' 9001 '),
  fc.integer(), fc.double(), fc.constant(null),
);
const webhookPaths = ['event_id', 'data.id', 'data.amount', 'data.event_id', 'data.created_at', 'data.status_updated_at', 'data.sale_amount', 'data.promoter_campaign.promoter.cust_id', 'data.promoter_campaign.campaign_id'];
const legacyPaths = ['event.id', 'event.created_at', 'data.id', 'data.amount', 'data.created_at', 'data.promoter.cust_id'];

describe('FirstPromoter bodies with hostile field values', () => {
  it('webhooks v2: refused naming the field, or an observation the event schema accepts', () => {
    const body = firstPromoterFixture('v2-commission-created-pending').body;
    fc.assert(fc.property(fc.constantFrom(...webhookPaths), hostileValue, (path, value) => {
      const result = normaliseFirstPromoterWebhook(editJson(body, { [path]: value }), context);
      if (result.kind === 'invalid') expect(result.field).toBeDefined();
      else if (result.kind === 'commission') expect(checkCommissionObserved(result.observation).ok).toBe(true);
    }), { numRuns: 2_000 });
  });

  it('legacy fulfilment_pending: refused naming the field, or an observation the event schema accepts', () => {
    const body = firstPromoterFixture('legacy-fulfilment-pending').body;
    fc.assert(fc.property(fc.constantFrom(...legacyPaths), hostileValue, (path, value) => {
      const result = normaliseLegacyFulfilmentPending(editJson(body, { [path]: value }), context);
      if (result.kind === 'invalid') expect(result.field).toBeDefined();
      else if (result.kind === 'commission') expect(checkCommissionObserved(result.observation).ok).toBe(true);
      else expect(result.kind).toBe('not-fulfilment-pending');
    }), { numRuns: 2_000 });
  });
});
