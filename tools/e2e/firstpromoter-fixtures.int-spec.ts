import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Topics } from '@earnings/contracts';
import { firstPromoterFixture, FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET } from '@earnings/testing';
import {
  createSuiteDatabase, projectFromCurrentEnd, eventually, graphql, readWholeTopic, requireTestInfrastructure, restartApp, RunningApps, queryApiKey, startApps, SuiteDatabase, topicEndOffset,
  uniqueSuffix, waitForProjectorToCatchUp,
} from './test-stack';

interface Balance { unit: string; lifetime: string; pending: string; available: string }
const earningsQuery = `query ($aui: ID!) { earnings(aui: $aui) { balances { unit lifetime pending available } } }`;
const legacyToken = 'legacy-token-for-tests-0123456789';
const promoterSecrets = { authToken: 'da954kn43856nacueroytnjrwg46k5', tempPassword: 'dsf23fd3' };

describe('FirstPromoter webhooks give the outcomes the fixtures list', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const projectorGroup = `ledger-projector-${uniqueSuffix()}`;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('firstpromoter_fixtures');
    // The fixtures have fixed commission ids: earlier runs on the same broker must not be replayed first.
    await projectFromCurrentEnd(database.url, projectorGroup);
    env = {
      ...queryApiKey().env,
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      WILDFIRE_CALLBACK_KEYS: 'unused-in-this-suite',
      FIRSTPROMOTER_WEBHOOK_SECRETS: `previous-secret,${FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET}`,
      FIRSTPROMOTER_LEGACY_TOKEN: legacyToken,
      PROJECTOR_CONSUMER_GROUP: projectorGroup,
      LOG_LEVEL: 'debug',
    };
    apps = await startApps(['ingest', 'ledger-projector', 'query'], env);
  });

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  const balancesOf = async (aui: string) => (await graphql<{ earnings: { balances: Balance[] } }>(apps.url('query', '/graphql'), earningsQuery, { aui }, queryApiKey().headers)).data?.earnings.balances ?? [];

  async function postWebhook(name: string, signature?: string): Promise<Response> {
    const fixture = firstPromoterFixture(name);
    return fetch(apps.url('ingest', '/webhooks/firstpromoter'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [fixture.signatureHeader]: signature ?? fixture.signature },
      body: fixture.body,
    });
  }

  it('a created commission shows 20 credits pending for the promoter', async () => {
    const response = await postWebhook('v2-commission-created-pending');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'recorded', eventId: '3d1f7e0a-5b7c-4d8e-9f10-111111111111' });
    const balances = await eventually(() => balancesOf('aui-fp-promoter-9001'), (value) => value.length > 0);
    expect(balances).toEqual([{ unit: 'credits', lifetime: '20', pending: '20', available: '0' }]);
  });

  it('approval makes the 20 credits available; a redelivery of the same event_id counts once', async () => {
    expect((await postWebhook('v2-commission-updated-approved')).status).toBe(200);
    const redelivery = await postWebhook('v2-commission-updated-approved');
    expect(redelivery.status).toBe(200);
    expect(((await redelivery.json()) as { status: string }).status).toBe('duplicate');
    const balances = await eventually(() => balancesOf('aui-fp-promoter-9001'), (value) => value[0]?.available === '20');
    expect(balances).toEqual([{ unit: 'credits', lifetime: '20', pending: '0', available: '20' }]);
  });

  it('a denied commission counts toward no total', async () => {
    expect((await postWebhook('v2-commission-updated-denied')).status).toBe(200);
    await waitForProjectorToCatchUp(database.url, projectorGroup);
    const balances = await balancesOf('aui-fp-promoter-9001');
    expect(balances.find((balance) => balance.unit === 'points') ?? { lifetime: '0', pending: '0', available: '0' }).toMatchObject({ lifetime: '0', pending: '0', available: '0' });
  });

  it('a wrong signature gets 401 and records nothing', async () => {
    const before = await topicEndOffset(Topics.rawInbound);
    const response = await postWebhook('v2-commission-created-pending', 'f'.repeat(64));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid-signature');
    expect(await topicEndOffset(Topics.rawInbound)).toBe(before);
  });

  it('the legacy fulfilment_pending webhook needs the token; with webhooks v2 it stays pending (202) and books nothing, without them it gives AUI 23452 its 20 credits', async () => {
    const fixture = firstPromoterFixture('legacy-fulfilment-pending');
    const legacyUrl = apps.url('ingest', '/webhooks/firstpromoter/legacy');
    const before = await topicEndOffset(Topics.rawInbound);
    const refused = await fetch(`${legacyUrl}?token=wrong-token-0123456789`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixture.body });
    expect(refused.status).toBe(401);
    expect(await topicEndOffset(Topics.rawInbound)).toBe(before);

    const counted = await fetch(`${legacyUrl}?token=${legacyToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixture.body });
    expect({ status: counted.status, body: await counted.json() }).toEqual({ status: 202, body: { status: 'pending', reason: 'counted-by-v2', eventId: '5367' } });
    await waitForProjectorToCatchUp(database.url, projectorGroup);
    expect(await balancesOf('23452')).toEqual([]);

    // A deployment that records FirstPromoter by the legacy webhook alone.
    await apps.services.get('ingest')?.stop();
    await restartApp(apps, 'ingest', { ...env, FIRSTPROMOTER_WEBHOOK_SECRETS: '' });
    const accepted = await fetch(`${legacyUrl}?token=${legacyToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixture.body });
    expect(accepted.status).toBe(200);
    const viaHeader = await fetch(legacyUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-firstpromoter-token': legacyToken }, body: fixture.body });
    expect(viaHeader.status).toBe(200);
    const balances = await eventually(() => balancesOf('23452'), (value) => value.length > 0);
    expect(balances).toEqual([{ unit: 'credits', lifetime: '20', pending: '0', available: '20' }]);
  });

  it("stores the promoter's auth_token and temp_password nowhere: no topic message, table row or log line", async () => {
    await waitForProjectorToCatchUp(database.url, projectorGroup);
    const found: string[] = [];
    const search = (where: string, text: string) => {
      for (const secret of Object.values(promoterSecrets)) if (text.includes(secret)) found.push(`${where} contains ${secret}`);
    };
    for (const topic of Object.values(Topics)) {
      for (const message of await readWholeTopic(topic)) search(`topic ${topic}`, `${message.key} ${message.value} ${JSON.stringify(message.headers)}`);
    }
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`);
      for (const { table_schema, table_name } of tables.rows) {
        const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${table_schema}"."${table_name}" t`);
        for (const { row } of rows.rows) search(`table ${table_schema}.${table_name}`, row);
      }
    } finally {
      await client.end();
    }
    for (const file of readdirSync(apps.logDirectory).filter((name) => Object.values(apps.ports).some((port) => name.endsWith(`-${port}.log`)))) {
      search(`log ${file}`, readFileSync(join(apps.logDirectory, file), 'utf8'));
    }
    expect(found).toEqual([]);
  });
});
