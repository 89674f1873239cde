import { checkCommissionObserved, CommissionObserved } from '@earnings/contracts';
import { wildfireFixture } from '@earnings/testing';
import { FULL_USER_SHARE } from '../user-share';
import { normaliseWildfireCallback } from '../wildfire-callback';
import { WildfireCallbackResult, WildfireNormaliseContext } from '../wildfire-types';

export const OBSERVED_AT = '2024-05-01T12:00:00Z';

export const baseContext: WildfireNormaliseContext = { observedAt: OBSERVED_AT, userShare: FULL_USER_SHARE, defaultCurrency: 'USD' };

export const wildfireFixtureNames = [
  'v2-create-pending', 'v3-create-pending', 'v4-create-paid-device-split', 'v4-resend-same-version-pascal',
  'order-level-1-purchase', 'order-level-2-partial-return', 'item-level-1-item-a', 'item-level-2-item-b',
  'item-level-3-return-item-b', 'mixed-1-order-purchase', 'mixed-2-item-return',
] as const;

export function normaliseBody(body: string | Buffer, context: WildfireNormaliseContext = baseContext): WildfireCallbackResult {
  return normaliseWildfireCallback(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), context);
}

/** The observation of a body that must normalise; fails the test with the reason otherwise. */
export function observationOf(body: string | Buffer, context: WildfireNormaliseContext = baseContext): CommissionObserved {
  const result = normaliseBody(body, context);
  if (result.kind !== 'commission') throw new Error(`expected a commission, got ${JSON.stringify(result)}`);
  expectValidObservation(result.observation);
  return result.observation;
}

export function fixtureObservation(name: string, context: WildfireNormaliseContext = baseContext): CommissionObserved {
  return observationOf(wildfireFixture(name).body, context);
}

export function expectValidObservation(observation: CommissionObserved): void {
  expect(checkCommissionObserved(observation)).toEqual({ ok: true, value: observation });
}

/** A fixture body as an object, to derive variants (the fixtures themselves stay byte-exact). */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(wildfireFixture(name).body.toString('utf8')) as Record<string, unknown>;
}

/** A v4 body (lower-case keys, like the documentation) with the payload fields overridden. */
export function v4Body(payloadOverrides: Record<string, unknown> = {}, envelopeOverrides: Record<string, unknown> = {}): string {
  const envelope = fixtureJson('v4-create-paid-device-split');
  const payload = { ...(envelope.payload as Record<string, unknown>), ...payloadOverrides };
  return JSON.stringify({ ...envelope, payload, ...envelopeOverrides });
}

/** A v4 body whose payload lacks the given (lower-case) field. */
export function v4BodyWithout(field: string): string {
  const envelope = fixtureJson('v4-create-paid-device-split');
  const payload = { ...(envelope.payload as Record<string, unknown>) };
  delete payload[field];
  return JSON.stringify({ ...envelope, payload });
}
