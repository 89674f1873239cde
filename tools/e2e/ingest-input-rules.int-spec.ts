import { createHmac } from 'node:crypto';
import { Topics } from '@earnings/contracts';
import { FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET, firstPromoterFixture, WILDFIRE_FIXTURE_CALLBACK_KEY, wildfireFixture } from '@earnings/testing';
import { createSuiteDatabase, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, topicEndOffset } from './test-stack';

/**
 * Issue 17, findings 1 to 4: validly signed bodies whose identifiers, amounts or dates break the
 * input rules (README, "Input rules") are refused at the edge with 400 naming the field, never
 * 200 (the projector would then meet them) and never 500, and nothing reaches any topic. For
 * Wildfire only the money's own fields refuse (issue 24: metadata is cleaned and booked, see
 * wildfire-metadata.int-spec.ts).
 */
const legacyToken = 'legacy-token-for-input-rules-0123456789';
const signWildfire = (body: string) => `sha256=${createHmac('sha256', WILDFIRE_FIXTURE_CALLBACK_KEY).update(body).digest('hex')}`;
const signFirstPromoter = (body: string) => createHmac('sha256', FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET).update(body).digest('hex');

type Json = Record<string, unknown>;
const fixtureJson = (body: Buffer): Json => JSON.parse(body.toString('utf8')) as Json;
const wildfireV4 = fixtureJson(wildfireFixture('v4-create-paid-device-split').body) as Json & { payload: Json };
const firstPromoterV2 = fixtureJson(firstPromoterFixture('v2-commission-created-pending').body) as Json & { data: Json & { promoter_campaign: Json & { promoter: Json } } };
const legacy = fixtureJson(firstPromoterFixture('legacy-fulfilment-pending').body) as Json & { data: Json & { promoter: Json } };

const wildfireWith = (payload: Json, envelope: Json = {}) => JSON.stringify({ ...wildfireV4, ...envelope, payload: { ...wildfireV4.payload, ...payload } });
const amountsWith = (split: Json) => [{ amount: '2.88475', currency: 'usd', splitpart: 'application', ...split }];

const wildfireCases: { name: string; body: string; field: string }[] = [
  { name: 'a NUL in CommissionID', body: wildfireWith({ commissionid: 'c\u0000' }), field: 'Payload.CommissionID' },
  { name: 'an amount of 1E400', body: wildfireWith({ amounts: amountsWith({ amount: '1E400' }) }), field: 'Payload.Amounts[0].Amount' },
  { name: 'a 200-digit amount', body: wildfireWith({ amounts: amountsWith({ amount: '9'.repeat(200) }) }), field: 'Payload.Amounts[0].Amount' },
  { name: 'a currency of ""', body: wildfireWith({ amounts: amountsWith({ currency: '' }) }), field: 'Payload.Amounts[0].Currency' },
  { name: 'an offset of +99:99', body: wildfireWith({ modifieddate: '2023-03-07T02:57:58+99:99' }), field: 'Payload.ModifiedDate' },
  { name: 'a modified date in year 9999', body: wildfireWith({ modifieddate: '9999-12-31T23:59:59Z' }), field: 'Payload.ModifiedDate' },
  { name: 'a modified date whose offset crosses year 9999', body: wildfireWith({ modifieddate: '9999-12-31T23:59:59-23:59' }), field: 'Payload.ModifiedDate' },
  { name: 'an event date whose offset crosses year 0', body: wildfireWith({ eventdate: '0000-01-01T00:00:00+23:59' }), field: 'Payload.EventDate' },
];

describe('ingest holds every edge to the input rules', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('ingest_input_rules');
    apps = await startApps(['ingest'], {
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      FIRSTPROMOTER_WEBHOOK_SECRETS: FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET,
      FIRSTPROMOTER_LEGACY_TOKEN: legacyToken,
    });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  async function expectRefused(path: string, body: string, headers: Record<string, string>, field: string): Promise<void> {
    const before = [await topicEndOffset(Topics.commissionObserved), await topicEndOffset(Topics.rawInbound)];
    const response = await fetch(apps.url('ingest', path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const answer = (await response.json()) as { error: { code: string; message: string; field?: string } };
    expect({ status: response.status, code: answer.error.code, field: answer.error.field }).toEqual({ status: 400, code: 'invalid-field', field });
    expect(answer.error.message).toContain(field);
    expect([await topicEndOffset(Topics.commissionObserved), await topicEndOffset(Topics.rawInbound)]).toEqual(before);
  }

  it.each(wildfireCases)('Wildfire callback with $name: 400 naming $field', async ({ body, field }) => {
    await expectRefused('/callbacks/wildfire', body, { 'x-wf-signature': signWildfire(body) }, field);
  });

  const promoterWith = (promoter: Json) => ({ ...firstPromoterV2.data.promoter_campaign, promoter: { ...firstPromoterV2.data.promoter_campaign.promoter, ...promoter } });
  const webhookCases: { name: string; body: string; field: string }[] = [
    { name: 'a NUL in cust_id', body: JSON.stringify({ ...firstPromoterV2, data: { ...firstPromoterV2.data, promoter_campaign: promoterWith({ cust_id: 'aui\u0000' }) } }), field: 'data.promoter_campaign.promoter.cust_id' },
    { name: 'a bidi isolate in event_id', body: JSON.stringify({ ...firstPromoterV2, event_id: 'event\u2066-1' }), field: 'event_id' },
    { name: 'an amount of 1E400', body: JSON.stringify({ ...firstPromoterV2, data: { ...firstPromoterV2.data, amount: '1E400' } }), field: 'data.amount' },
    { name: 'a status date in year 9999', body: JSON.stringify({ ...firstPromoterV2, data: { ...firstPromoterV2.data, status_updated_at: '9999-12-31T23:59:59.000Z' } }), field: 'data.status_updated_at' },
  ];

  it.each(webhookCases)('FirstPromoter webhook with $name: 400 naming $field', async ({ body, field }) => {
    await expectRefused('/webhooks/firstpromoter', body, { 'x-webhook-signature': signFirstPromoter(body) }, field);
  });

  it('FirstPromoter legacy webhook with a cust_id padded with blanks: 400 naming the field', async () => {
    const body = JSON.stringify({ ...legacy, data: { ...legacy.data, promoter: { ...legacy.data.promoter, cust_id: ' 23452 ' } } });
    await expectRefused('/webhooks/firstpromoter/legacy', body, { 'x-firstpromoter-token': legacyToken }, 'data.promoter.cust_id');
  });
});
