import { createHmac } from 'node:crypto';
import { Topics } from '@earnings/contracts';
import { WILDFIRE_FIXTURE_CALLBACK_KEY, wildfireFixture } from '@earnings/testing';
import { createSuiteDatabase, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, topicEndOffset } from './test-stack';

const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', WILDFIRE_FIXTURE_CALLBACK_KEY).update(body).digest('hex')}`;

describe('ingest refuses bad Wildfire callbacks with a clear 4xx and records nothing', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('ingest_errors');
    apps = await startApps(['ingest'], {
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      CALLBACK_BODY_BYTES_MAX: '4096',
    });
  });

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  const post = (body: Buffer | string, headers: Record<string, string | undefined>) =>
    fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: { 'content-type': 'application/json', ...(headers as Record<string, string>) }, body });

  const v4 = JSON.parse(wildfireFixture('v4-create-paid-device-split').body.toString('utf8'));
  const withoutModifiedDate = JSON.stringify({ ...v4, payload: { ...v4.payload, modifieddate: undefined } });
  const oversized = JSON.stringify({ ...v4, padding: 'x'.repeat(5_000) });

  const cases = [
    { name: 'a missing signature', body: wildfireFixture('v4-create-paid-device-split').body, headers: {}, status: 401, code: 'invalid-signature' },
    { name: 'a signature from another key', body: wildfireFixture('v4-create-paid-device-split').body, headers: { 'x-wf-signature': `sha256=${createHmac('sha256', 'other').update('x').digest('hex')}` }, status: 401, code: 'invalid-signature' },
    { name: 'malformed JSON', body: '{"id": "1", "type": ', headers: { 'x-wf-signature': sign('{"id": "1", "type": ') }, status: 400, code: 'malformed-json' },
    { name: 'a missing ModifiedDate', body: withoutModifiedDate, headers: { 'x-wf-signature': sign(withoutModifiedDate) }, status: 400, code: 'missing-field' },
    { name: 'a body over the size limit', body: oversized, headers: { 'x-wf-signature': sign(oversized) }, status: 413, code: 'body-too-large' },
  ];

  it.each(cases)('$name: $status $code, and no message on any topic', async ({ body, headers, status, code }) => {
    const before = [await topicEndOffset(Topics.commissionObserved), await topicEndOffset(Topics.rawInbound)];
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: { code: string } };
    expect(answer.error.code).toBe(code);
    expect(JSON.stringify(answer)).not.toMatch(/at .+\.(js|ts):\d+/); // no stack trace
    expect([await topicEndOffset(Topics.commissionObserved), await topicEndOffset(Topics.rawInbound)]).toEqual(before);
  });

  it('accepts a pretty-printed body with keys in another order when the signature matches its bytes', async () => {
    const reordered = JSON.stringify({ payload: v4.payload, action: v4.action, type: v4.type, id: 'reordered-callback-1' }, null, 2);
    const response = await post(reordered, { 'x-wf-signature': sign(reordered) });
    expect(response.status).toBe(200);
  });

  it('answers 202 to a callback that is not a commission, keeping it raw only', async () => {
    const body = JSON.stringify({ ID: 'merchant-callback-1', Type: 'Merchant', Action: 'update', Payload: { MerchantID: 1 } });
    const before = [await topicEndOffset(Topics.commissionObserved), await topicEndOffset(Topics.rawInbound)];
    const response = await post(body, { 'x-wf-signature': sign(body) });
    expect(response.status).toBe(202);
    expect([await topicEndOffset(Topics.commissionObserved), await topicEndOffset(Topics.rawInbound)]).toEqual([before[0], before[1] + 1n]);
  });
});
