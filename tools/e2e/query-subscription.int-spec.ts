import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  createSuiteDatabase, hs256Token, queryApiKey, requireTestInfrastructure, RunningApps, signedWildfireCallback, startApps, SuiteDatabase, TestCommission,
  uniqueSuffix, waitForProjectorToCatchUp,
} from './test-stack';

interface Earnings {
  aui: string;
  balances: { unit: string; lifetime: string; pending: string; available: string }[];
}

interface Delivery {
  earnings?: Earnings;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** The server ended the subscription. */
  completed?: true;
  receivedAt: number;
}

const jwtSecret = 'subscription-e2e-jwt-secret-at-least-32-chars';
const partner = queryApiKey('live', 'live-api-key-e2e');
const subscription = 'subscription ($aui: ID!) { earningsUpdated(aui: $aui) { aui balances { unit lifetime pending available } } }';

/** Subscribes and collects every delivery (data, errors or the end) with the moment it arrived. */
function subscribe(client: Client, aui: string): Delivery[] {
  const deliveries: Delivery[] = [];
  client.subscribe<{ earningsUpdated: Earnings }>({ query: subscription, variables: { aui } }, {
    next: (result) => deliveries.push({ earnings: result.data?.earningsUpdated, errors: result.errors as Delivery['errors'], receivedAt: Date.now() }),
    error: (error) => deliveries.push({ errors: Array.isArray(error) ? error : [{ message: String((error as Error).message ?? error) }], receivedAt: Date.now() }),
    complete: () => deliveries.push({ completed: true, receivedAt: Date.now() }),
  });
  return deliveries;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nothing arrived within ${timeoutMs} ms`);
}

describe('earningsUpdated: a signed callback reaches a graphql-ws subscriber', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const clients: Client[] = [];
  const suffix = uniqueSuffix();
  const watched = `live-${suffix}-a`;
  const someoneElse = `live-${suffix}-b`;
  // Commission identity is (source, id) and the projector replays the shared topic: ids unique per run.
  const commissionId = (n: number) => (Number.parseInt(suffix.slice(0, 6), 16) + 1_000_000) * 10 + n;

  const connect = (authorization?: string): Client => {
    const client = createClient({
      url: apps.url('query', '/graphql').replace('http://', 'ws://'),
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('query_live');
    apps = await startApps(['ingest', 'ledger-projector', 'query'], {
      ...partner.env,
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      QUERY_JWT_SECRET: jwtSecret,
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      PROJECTOR_CONSUMER_GROUP: `ledger-projector-${suffix}`,
    });
    // A new projector group replays the shared topics from the start; measure once it is live.
    await waitForProjectorToCatchUp(database.url, `ledger-projector-${suffix}`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await apps?.stopAll();
    await database?.drop();
  });

  it('delivers the new balance to a partner key and to the user themself, and measures how fast', async () => {
    const byPartner = subscribe(connect(partner.headers.authorization), watched);
    const byUser = subscribe(connect(`Bearer ${hs256Token(jwtSecret, { sub: watched })}`), watched);
    // graphql-ws does not acknowledge a subscribe; give the server a moment to register both.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const pending: TestCommission = { id: commissionId(1), aui: watched, status: 'pending', amount: '4.20001', eventDate: '2024-05-01T00:00:00Z', modifiedDate: '2024-05-01T00:00:00.000001Z' };
    const sentAt = Date.now();
    const callback = signedWildfireCallback(pending);
    expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body })).status).toBe(200);
    const first = await until(() => byPartner.find((delivery) => delivery.earnings), 10_000);
    const latencyMs = first.receivedAt - sentAt;
    process.stdout.write(`earningsUpdated latency (signed callback sent -> subscriber received): ${latencyMs} ms\n`);
    expect(latencyMs).toBeLessThan(10_000);
    expect(first.earnings).toEqual({ aui: watched, balances: [{ unit: 'USD', lifetime: '4.20001', pending: '4.20001', available: '0' }] });
    const own = await until(() => byUser.find((delivery) => delivery.earnings), 10_000);
    expect(own.earnings).toEqual(first.earnings);

    // The same commission paid: the next delivery carries the new figures.
    const paid = signedWildfireCallback({ ...pending, status: 'paid', modifiedDate: '2024-06-01T00:00:00Z' });
    const paidSentAt = Date.now();
    expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: paid.headers, body: paid.body })).status).toBe(200);
    const second = await until(() => byPartner.filter((delivery) => delivery.earnings)[1], 10_000);
    process.stdout.write(`earningsUpdated latency (second update): ${second.receivedAt - paidSentAt} ms\n`);
    expect(second.earnings).toEqual({ aui: watched, balances: [{ unit: 'USD', lifetime: '4.20001', pending: '0', available: '4.20001' }] });
    expect(byPartner.every((delivery) => delivery.errors === undefined)).toBe(true);
  });

  it('refuses a user token of another AUI with FORBIDDEN, and no credentials with UNAUTHENTICATED', async () => {
    const asSomeoneElse = subscribe(connect(`Bearer ${hs256Token(jwtSecret, { sub: someoneElse })}`), watched);
    const anonymous = subscribe(connect(), watched);
    const forged = subscribe(connect(`Bearer ${hs256Token('not-the-secret-but-32-characters-long', { sub: watched })}`), watched);
    const refusals = await Promise.all([asSomeoneElse, anonymous, forged].map((deliveries) => until(() => deliveries.find((delivery) => delivery.errors), 10_000)));
    expect(refusals.map((refusal) => refusal.errors?.map((error) => error.extensions?.code))).toEqual([['FORBIDDEN'], ['UNAUTHENTICATED'], ['UNAUTHENTICATED']]);

    // A change of the watched AUI after the refusals reaches none of them.
    const later = signedWildfireCallback({ id: commissionId(2), aui: watched, status: 'pending', amount: '1', eventDate: '2024-07-01T00:00:00Z', modifiedDate: '2024-07-01T00:00:00Z' });
    const watcher = subscribe(connect(partner.headers.authorization), watched);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: later.headers, body: later.body })).status).toBe(200);
    await until(() => watcher.find((delivery) => delivery.earnings), 10_000);
    for (const refused of [asSomeoneElse, anonymous, forged]) expect(refused.filter((delivery) => delivery.earnings)).toEqual([]);
  });

  it("ends a user's subscription when their token expires, and nothing reaches it afterwards", async () => {
    const token = hs256Token(jwtSecret, { sub: watched, exp: Math.floor(Date.now() / 1000) + 3 });
    const expiring = subscribe(connect(`Bearer ${token}`), watched);
    const watcher = subscribe(connect(partner.headers.authorization), watched);
    await until(() => expiring.find((delivery) => delivery.completed), 15_000);

    const afterExpiry = signedWildfireCallback({ id: commissionId(3), aui: watched, status: 'pending', amount: '2', eventDate: '2024-08-01T00:00:00Z', modifiedDate: '2024-08-01T00:00:00Z' });
    expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: afterExpiry.headers, body: afterExpiry.body })).status).toBe(200);
    await until(() => watcher.find((delivery) => delivery.earnings), 10_000);
    expect(expiring.filter((delivery) => delivery.earnings || delivery.errors)).toEqual([]);
  });
});
