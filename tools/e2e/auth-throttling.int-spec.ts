import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createSuiteDatabase, graphql, queryApiKey, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, uniqueSuffix } from './test-stack';
import { payoutAdminToken } from './payout-scenario';

const failuresPerMinuteMax = 5;
const attacker = '198.51.100.7';
const bystander = '203.0.113.9';

/**
 * Failed authentication is throttled per client address (issue 17, finding 9): after
 * AUTH_FAILURES_PER_MINUTE_MAX wrong credentials an address gets 429 without its credentials
 * being checked, while the right credentials keep working for every other address. The test
 * client sits behind a trusted proxy (TRUSTED_PROXY=127.0.0.1), so X-Forwarded-For names it.
 */
describe('throttling of failed authentication', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const apiKey = queryApiKey('throttling', 'e2e-throttling-api-key');

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('auth_throttling');
    apps = await startApps(['payout', 'query'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn',
      AUTH_FAILURES_PER_MINUTE_MAX: String(failuresPerMinuteMax), TRUSTED_PROXY: '127.0.0.1',
      PAYOUT_ADMIN_TOKEN: payoutAdminToken, PAYOUT_CONSUMER_GROUP: `auth-throttling-${uniqueSuffix()}`, PAYOUT_SESSION_TIMEOUT_MS: '6000', PAYOUT_RUN_CRON: '0 0 1 1 *',
      ...apiKey.env,
    });
  }, 180_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  const listPayouts = async (from: string, token: string) => {
    const response = await fetch(apps.url('payout', '/admin/payouts?aui=someone'), { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('payout admin API: 401 for the first wrong tokens, then 429 for that address only, even with the right token', async () => {
    for (let attempt = 0; attempt < failuresPerMinuteMax; attempt += 1) {
      expect((await listPayouts(attacker, `wrong-admin-token-${attempt}`)).status).toBe(401);
    }
    for (const token of ['wrong-admin-token-again', payoutAdminToken]) {
      const refused = await listPayouts(attacker, token);
      expect(refused).toEqual({ status: 429, body: { error: { code: 'too-many-requests', message: expect.stringMatching(/retry in \d+ s/) } } });
    }
    expect(await listPayouts(bystander, payoutAdminToken)).toEqual({ status: 200, body: { payouts: [] } });
  });

  it('GraphQL API: wrong API keys and user tokens count, then RATE_LIMITED 429 for that address only', async () => {
    const ask = async (from: string, authorization: string) => {
      const response = await fetch(apps.url('query', '/graphql'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization, 'x-forwarded-for': from },
        body: JSON.stringify({ query: '{ earnings(aui: "someone") { aui } }' }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? null };
    };
    const wrongCredentials = ['Bearer wrong-api-key-1', 'Bearer wrong-api-key-2', 'Bearer a.b.c', 'Bearer wrong-api-key-3', 'Bearer x.y.z'];
    expect(wrongCredentials).toHaveLength(failuresPerMinuteMax);
    for (const authorization of wrongCredentials) expect(await ask(attacker, authorization)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await ask(attacker, 'Bearer wrong-api-key-4')).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(await ask(attacker, apiKey.headers.authorization)).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(await ask(bystander, apiKey.headers.authorization)).toEqual({ status: 200, code: null });
    // And without the proxy header, the connection's own address (127.0.0.1) is a client of its own.
    const direct = await graphql<{ earnings: { aui: string } }>(apps.url('query', '/graphql'), '{ earnings(aui: "someone") { aui } }', {}, apiKey.headers);
    expect(direct.errors).toBeUndefined();
  });

  it('GraphQL subscriptions: connections with wrong credentials count when they close, then the address cannot connect', async () => {
    const from = '192.0.2.44';
    /** One graphql-ws connection from `from` that subscribes once; resolves with the error code, or the close code when refused. */
    const subscribeOnce = (authorization: string) =>
      new Promise<string>((resolve) => {
        const client = createClient({
          url: apps.url('query', '/graphql').replace('http://', 'ws://'),
          webSocketImpl: class extends WebSocket {
            constructor(url: string, protocols?: string | string[]) {
              super(url, protocols, { headers: { 'x-forwarded-for': from } });
            }
          },
          connectionParams: { authorization },
          retryAttempts: 0,
          lazy: false,
          on: { closed: (event) => resolve(`closed ${(event as { code: number }).code}`) },
        });
        client.subscribe({ query: 'subscription { earningsUpdated(aui: "someone") { aui } }' }, {
          next: (result) => {
            resolve(String((result.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code));
            void client.dispose();
          },
          error: (error) => {
            const first = Array.isArray(error) ? (error[0] as { extensions?: { code?: string } }) : undefined;
            resolve(first?.extensions?.code ?? `closed ${(error as { code?: number }).code}`);
            void client.dispose();
          },
          complete: () => undefined,
        });
      });
    for (let attempt = 0; attempt < failuresPerMinuteMax; attempt += 1) expect(await subscribeOnce(`Bearer wrong-live-key-${attempt}`)).toBe('UNAUTHENTICATED');
    // Failures are counted as the server sees each connection close: a bounded wait, not a sleep.
    const deadline = Date.now() + 10_000;
    let answer = await subscribeOnce('Bearer wrong-live-key-again');
    while (answer === 'UNAUTHENTICATED' && Date.now() < deadline) answer = await subscribeOnce('Bearer wrong-live-key-again');
    expect(answer).toBe('closed 1011');
    expect(await subscribeOnce(apiKey.headers.authorization)).toBe('closed 1011');
  });
});
