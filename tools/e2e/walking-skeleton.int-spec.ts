import { WILDFIRE_FIXTURE_CALLBACK_KEY, wildfireFixture } from '@earnings/testing';
import { createSuiteDatabase, eventually, graphql, requireTestInfrastructure, RunningApps, queryApiKey, startApps, SuiteDatabase, uniqueSuffix } from './test-stack';

interface EarningsResult {
  earnings: { aui: string; balances: { unit: string; lifetime: string; pending: string; available: string; paidOut: string; paidByNetwork: string }[] };
}

const earningsQuery = `query ($aui: ID!) { earnings(aui: $aui) { aui balances { unit lifetime pending available paidOut paidByNetwork } } }`;

describe('a signed Wildfire callback reaches a GraphQL balance through the four services', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('walking_skeleton');
    const suffix = uniqueSuffix();
    apps = await startApps(['ingest', 'ledger-projector', 'payout', 'query'], {
      ...queryApiKey().env,
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      WILDFIRE_CALLBACK_KEYS: `rotated-out-key,${WILDFIRE_FIXTURE_CALLBACK_KEY}`,
      PROJECTOR_CONSUMER_GROUP: `ledger-projector-${suffix}`,
      PAYOUT_CONSUMER_GROUP: `payout-balances-${suffix}`,
    });
  });

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  it('records the v4 device-split fixture as paid by the network, and answers 200 only after Kafka has it', async () => {
    const fixture = wildfireFixture('v4-create-paid-device-split');
    const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [fixture.signatureHeader]: fixture.signature },
      body: fixture.body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'recorded', callbackId: '87f0a400-c84c-4b6b-8722-8fb8447f9565' });

    const result = await eventually(
      () => graphql<EarningsResult>(apps.url('query', '/graphql'), earningsQuery, { aui: '012345-6780a-bcdef0-74932' }, queryApiKey().headers),
      (answer) => (answer.data?.earnings.balances.length ?? 0) > 0,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.earnings).toEqual({
      aui: '012345-6780a-bcdef0-74932',
      balances: [{ unit: 'USD', lifetime: '5.7695', pending: '0', available: '0', paidOut: '0', paidByNetwork: '5.7695' }],
    });
  });

  it('rejects a bad signature with a machine-readable 401', async () => {
    const fixture = wildfireFixture('v4-create-paid-device-split');
    const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [fixture.signatureHeader]: `sha256=${'0'.repeat(64)}` },
      body: fixture.body,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid-signature');
  });

  it('answers an AUI with no data with empty balances, not an error', async () => {
    const result = await graphql<EarningsResult>(apps.url('query', '/graphql'), earningsQuery, { aui: `nobody-${uniqueSuffix()}` }, queryApiKey().headers);
    expect(result.errors).toBeUndefined();
    expect(result.data?.earnings.balances).toEqual([]);
  });

  it('serves health, readiness and Prometheus metrics on every service, and stops cleanly on SIGTERM', async () => {
    for (const app of ['ingest', 'ledger-projector', 'payout', 'query'] as const) {
      expect((await fetch(apps.url(app, '/health/live'))).status).toBe(200);
      const ready = await fetch(apps.url(app, '/health/ready'));
      expect(ready.status).toBe(200);
      // Every service checks Kafka and PostgreSQL; every consumer that it is applying; the projector also that it is not behind.
      const expectedChecks = {
        ingest: { kafka: 'ok', postgres: 'ok' },
        'ledger-projector': { kafka: 'ok', postgres: 'ok', applying: 'ok', lag: 'ok' },
        payout: { kafka: 'ok', postgres: 'ok', applying: 'ok' },
        query: { kafka: 'ok', postgres: 'ok', applying: 'ok' },
      }[app];
      expect(((await ready.json()) as { checks: unknown }).checks).toEqual(expectedChecks);
      const metrics = await (await fetch(apps.url(app, '/metrics'))).text();
      expect(metrics).toContain('process_resident_memory_bytes');
    }
    const codes = await apps.stopAll();
    expect([...codes.values()]).toEqual([0, 0, 0, 0]);
  });
});
