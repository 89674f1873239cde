import { firstPromoterFixture, FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET, wildfireFixture, WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import { secretsEqual, verifyFirstPromoterWebhookSignature, verifyWildfireCallbackSignature } from '../hmac-signature';

const wildfireNames = [
  'v2-create-pending', 'v3-create-pending', 'v4-create-paid-device-split', 'v4-resend-same-version-pascal',
  'order-level-1-purchase', 'order-level-2-partial-return', 'item-level-1-item-a', 'item-level-2-item-b',
  'item-level-3-return-item-b', 'mixed-1-order-purchase', 'mixed-2-item-return',
];

describe('callback signatures over the raw bytes', () => {
  it.each(wildfireNames)('accepts the documented signature of wildfire %s', (name) => {
    const fixture = wildfireFixture(name);
    expect(verifyWildfireCallbackSignature(fixture.body, fixture.signature, [WILDFIRE_FIXTURE_CALLBACK_KEY])).toBe(true);
  });

  it('accepts any key in the rotation list', () => {
    const fixture = wildfireFixture('v4-create-paid-device-split');
    expect(verifyWildfireCallbackSignature(fixture.body, fixture.signature, ['new-key', WILDFIRE_FIXTURE_CALLBACK_KEY])).toBe(true);
  });

  it('rejects a wrong key, a changed byte, a re-serialised body and a malformed header', () => {
    const fixture = wildfireFixture('v4-create-paid-device-split');
    expect(verifyWildfireCallbackSignature(fixture.body, fixture.signature, ['other-key'])).toBe(false);
    const tampered = Buffer.from(fixture.body.toString('utf8').replace('5.7695', '5.7696'));
    expect(verifyWildfireCallbackSignature(tampered, fixture.signature, [WILDFIRE_FIXTURE_CALLBACK_KEY])).toBe(false);
    const pretty = Buffer.from(JSON.stringify(JSON.parse(fixture.body.toString('utf8')), null, 2));
    expect(verifyWildfireCallbackSignature(pretty, fixture.signature, [WILDFIRE_FIXTURE_CALLBACK_KEY])).toBe(false);
    expect(verifyWildfireCallbackSignature(fixture.body, fixture.signature.replace('sha256=', ''), [WILDFIRE_FIXTURE_CALLBACK_KEY])).toBe(false);
    expect(verifyWildfireCallbackSignature(fixture.body, undefined, [WILDFIRE_FIXTURE_CALLBACK_KEY])).toBe(false);
  });

  it.each(['v2-commission-created-pending', 'v2-commission-updated-approved', 'v2-commission-updated-denied'])(
    'accepts the documented signature of firstpromoter %s',
    (name) => {
      const fixture = firstPromoterFixture(name);
      expect(verifyFirstPromoterWebhookSignature(fixture.body, fixture.signature, [FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET])).toBe(true);
      expect(verifyFirstPromoterWebhookSignature(fixture.body, fixture.signature, ['previous-secret'])).toBe(false);
    },
  );

  it('compares shared tokens of any length', () => {
    expect(secretsEqual('token-123', 'token-123')).toBe(true);
    expect(secretsEqual('token-12', 'token-123')).toBe(false);
    expect(secretsEqual(undefined, 'token-123')).toBe(false);
  });
});
