import { BalanceChanged, CommissionObserved, Topics } from '@earnings/contracts';
import { Client, createClient } from 'graphql-ws';
import { Client as PostgresClient } from 'pg';
import WebSocket from 'ws';
import {
  createSuiteDatabase, eventually, graphql, produceEvents, projectFromCurrentEnd, queryApiKey, readWholeTopic, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, uniqueSuffix,
} from './test-stack';

/**
 * Issue 25, finding 8: during a rolling deploy a newer producer may add an optional field to an
 * event of the same version. Every consumer not yet upgraded (the projector, the payout
 * service's balance view and reward consumer, the query service's live feed) applies such an
 * event as the event it knows; none dead-letters or skips it.
 */
describe('an event with a field this release does not know', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let liveFeed: Client;
  const suffix = uniqueSuffix();
  const prefix = `evolve-${suffix}`;
  const projectorGroup = `${prefix}-projector`;
  const payoutGroup = `${prefix}-payout`;
  const apiKey = queryApiKey('evolution', 'evolution-api-key-e2e');
  const numericId = Number.parseInt(suffix.slice(0, 6), 16) * 10;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('event_evolution');
    await projectFromCurrentEnd(database.url, projectorGroup);
    apps = await startApps(['ledger-projector', 'payout', 'query'], {
      ...apiKey.env, KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn',
      PROJECTOR_CONSUMER_GROUP: projectorGroup, PAYOUT_CONSUMER_GROUP: payoutGroup, PAYOUT_AUI_PREFIX: `${prefix}-`, PAYOUT_RUN_CRON: '0 0 1 1 *',
    });
    liveFeed = createClient({ url: apps.url('query', '/graphql').replace('http://', 'ws://'), webSocketImpl: WebSocket, connectionParams: { authorization: apiKey.headers.authorization }, retryAttempts: 0, lazy: false });
  }, 120_000);

  afterAll(async () => {
    await liveFeed?.dispose();
    await apps?.stopAll();
    await database?.drop();
  });

  it('is applied by the projector, the payout balance view, the reward consumer and the live feed, and dead-lettered by none', async () => {
    const earner = `${prefix}-earner`;
    const balanceOwner = `${prefix}-balance`;
    const rewarded = `${prefix}-rewarded`;
    const liveDeliveries: string[] = [];
    liveFeed.subscribe<{ earningsUpdated: { aui: string } }>(
      { query: 'subscription ($aui: ID!) { earningsUpdated(aui: $aui) { aui } }', variables: { aui: balanceOwner } },
      { next: (result) => liveDeliveries.push(result.data?.earningsUpdated.aui ?? JSON.stringify(result.errors)), error: () => undefined, complete: () => undefined },
    );
    // graphql-ws does not acknowledge a subscribe; give the server a moment to register it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    await produceEvents(Topics.commissionObserved, [
      { key: earner, value: withAddedFields(observation({ commissionId: String(numericId + 1), aui: earner, source: 'wildfire', unit: 'USD', state: 'CONFIRMED', userAmount: '12.34' })) },
      { key: rewarded, value: withAddedFields(observation({ commissionId: String(numericId + 2), aui: rewarded, source: 'firstpromoter', channel: 'webhook', unit: 'credits', state: 'PAYABLE', userAmount: '25' })) },
    ]);
    await produceEvents(Topics.balanceChanged, [{ key: balanceOwner, value: withAddedFields(balanceChanged(balanceOwner)) }]);

    // The projector: the observation is in the user's balance.
    const earnings = await eventually(
      () => graphql<{ earnings: { balances: { unit: string; pending: string }[] } }>(apps.url('query', '/graphql'), 'query ($aui: ID!) { earnings(aui: $aui) { balances { unit pending } } }', { aui: earner }, apiKey.headers),
      (answer) => (answer.data?.earnings.balances.length ?? 0) > 0,
      60_000,
    );
    expect(earnings.data?.earnings.balances).toEqual([{ unit: 'USD', pending: '12.34' }]);
    // The payout service's balance view, and its reward consumer, which requests the approved reward's delivery.
    expect(await eventually(() => rows(database.url, 'SELECT available::text FROM payout_balance WHERE aui = $1', [balanceOwner]), (found) => found.length > 0, 60_000)).toEqual([{ available: '7.5' }]);
    expect(await eventually(() => rows(database.url, 'SELECT unit, amount::text FROM payout WHERE aui = $1', [rewarded]), (found) => found.length > 0, 60_000)).toEqual([{ unit: 'credits', amount: '25' }]);
    // The live feed announced the balance change to its subscriber.
    await eventually(async () => liveDeliveries, (delivered) => delivered.includes(balanceOwner), 30_000);

    const ours = new Set([earner, rewarded, balanceOwner]);
    const letters = [...(await readWholeTopic(Topics.commissionObservedDeadLetter)), ...(await readWholeTopic(Topics.balanceChangedDeadLetter))];
    expect(letters.filter((letter) => ours.has(letter.key))).toEqual([]);
  }, 180_000);
});

/** A newer producer's additions: a top-level field and, on the observation, one more. */
function withAddedFields(event: object): object {
  return { ...event, loyaltyTier: 'gold', referralChannel: { name: 'newsletter' } };
}

function observation(fields: Pick<CommissionObserved, 'commissionId' | 'aui' | 'source' | 'unit' | 'state' | 'userAmount'> & Partial<CommissionObserved>): CommissionObserved {
  const modifiedDate = '2026-01-05T10:00:00.000000Z';
  return {
    type: 'CommissionObserved', schemaVersion: 1, observationId: `${fields.source}:${fields.commissionId}:${modifiedDate}`, channel: 'callback', sourceStatus: fields.state.toLowerCase(),
    applicationAmount: null, paidByNetwork: false, saleAmount: null, saleCurrency: null, applicationId: null, merchantId: null, deviceId: null, merchantOrderId: null,
    merchantSkus: [], eventDate: '2026-01-05T09:00:00Z', lockingDate: null, createdDate: null, modifiedDate, deliveryId: null, apiVersion: 'v4', observedAt: '2026-01-05T10:00:01Z',
    ...fields,
  };
}

function balanceChanged(aui: string): BalanceChanged {
  return {
    type: 'BalanceChanged', schemaVersion: 1, aui, unit: 'USD', sequence: '1', lifetime: '7.5', pending: '0', available: '7.5', paidOut: '0',
    paidByNetwork: '0', reserved: '0', pendingReversals: '0', causedBy: [`${aui}-observation`], changedAt: '2026-01-05T10:00:02Z',
  };
}

async function rows(databaseUrl: string, sql: string, parameters: unknown[]): Promise<Record<string, string>[]> {
  const client = new PostgresClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}
