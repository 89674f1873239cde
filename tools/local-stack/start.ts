import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { loadSetupConfig, setup } from '../admin/setup';
import { ensureDatabase, localServerUrl } from './database';
import { RunningBroker, startKafkaBroker } from './kafka-broker';
import { AppName, readinessPathOf, ServiceProcess, startServiceProcess, waitUntilReady } from './processes';
import { makeSamplePayout, sampleDataVerdict, samplePayee, SampleBalance } from './sample-data';
import { withDefaults } from './stack-config';
import { defaultImageSources } from '../../apps/dashboard/server/dashboard-config';

/**
 * `npm start`: a real Kafka broker (unless KAFKA_BROKERS is set), PostgreSQL (DATABASE_URL or
 * the local server), migrations and topics, the four services and the partner simulator, then
 * sample data: the simulator sends signed Wildfire callbacks to ingest.
 */
const devQueryApiKeys = process.env.QUERY_API_KEYS ?? 'dev:earnings:read:dev-api-key';

/**
 * The query service trusts the dashboard's server, on this machine, to name each visitor in
 * X-Forwarded-For, so its per-address throttle of wrong tokens sees the visitor, not the dashboard.
 */
const ownEnvOf = (app: AppName): Record<string, string> => (app === 'query' ? { TRUSTED_PROXY: process.env.TRUSTED_PROXY || 'loopback' } : {});

/** Stops what has started so far: set once main has registered it; a failed start-up uses it too. */
let stopEverything: ((reason: string, failed: boolean) => Promise<void>) | null = null;

async function main(): Promise<void> {
  const root = workspaceRoot();
  const log = (message: string) => console.log(`[start] ${message}`);
  const started = Date.now();
  const env = withDefaults();
  let brokerStart: Promise<RunningBroker> | null = null;
  let services: ServiceProcess[] = [];
  let stopping = false;
  const shutdown = async (signal: string, failed = false) => {
    if (stopping) {
      log(`${signal}: already stopping`);
      return;
    }
    stopping = true;
    log(`${signal}: stopping services and broker...`);
    const codes = await Promise.all(services.map((service) => service.stop()));
    // A broker still starting is waited for, then stopped: in its own process group, nothing else would stop it.
    const broker = await brokerStart?.catch(() => null);
    await broker?.stop();
    const unclean = services.map((service, index) => [service.name, codes[index]] as const).filter(([, code]) => code !== 0).map(([name, code]) => `${name} (${code ?? 'killed'})`);
    if (unclean.length > 0) log(`not stopped cleanly: ${unclean.join(', ')}`);
    process.exit(failed || unclean.length > 0 ? 1 : 0);
  };
  stopEverything = shutdown;
  // From the start, so a Ctrl-C during start-up stops the broker too. SIGHUP as well: the children no longer get the terminal's hang-up themselves.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

  const brokerDirectory = join(root, '.cache/kafka-dev');
  // The development database's stored offsets belong to this broker's topics: a new broker starts it afresh, or new events would be skipped as applied.
  const brokerIsNew = !process.env.KAFKA_BROKERS && !existsSync(join(brokerDirectory, 'log', 'meta.properties'));
  if (!process.env.KAFKA_BROKERS) {
    brokerStart = startKafkaBroker({ workspaceRoot: root, port: Number(env.KAFKA_PORT), dataDirectory: brokerDirectory, fresh: false, log, ownProcessGroup: true });
  }
  const brokers = process.env.KAFKA_BROKERS ?? (await brokerStart!).brokers;
  if (brokerIsNew && !process.env.DATABASE_URL) log('a new development broker: the development database (earnings_dev) starts afresh with it');
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(localServerUrl, 'earnings_dev', brokerIsNew));
  // KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS as the setup step reads them (6, 1, 1).
  const topics = loadSetupConfig({ ...process.env, DATABASE_URL: databaseUrl, KAFKA_BROKERS: brokers });
  await setup({
    databaseUrl, brokers: brokers.split(','), partitions: topics.KAFKA_TOPIC_PARTITIONS,
    replication: { replicationFactor: topics.KAFKA_REPLICATION_FACTOR, minInSyncReplicas: topics.KAFKA_MIN_INSYNC_REPLICAS },
  });

  // A development-only partner key, so the printed curl works; set QUERY_API_KEYS to use your own.
  const serviceEnv = { QUERY_API_KEYS: devQueryApiKeys, ...env, KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl };
  const apps: [AppName, string][] = [
    ['ingest', env.INGEST_PORT],
    ['ledger-projector', env.PROJECTOR_PORT],
    ['payout', env.PAYOUT_PORT],
    ['query', env.QUERY_PORT],
    ['partner-simulator', env.SIMULATOR_PORT],
  ];
  // Each child in its own process group: only this process signals them, once each, services before the broker.
  services = apps.map(([name, port]) => startServiceProcess({ workspaceRoot: root, name, port: Number(port), env: { ...serviceEnv, ...ownEnvOf(name) }, ownProcessGroup: true }));
  await Promise.all(services.map((service) => waitUntilReady(service, readinessPathOf(service.name))));
  const simulator = services.find((service) => service.name === 'partner-simulator')!;
  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}/callbacks/wildfire`;
  const sent = await fetch(`${simulator.baseUrl}/_admin/callbacks/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: ingestUrl }),
  }).then((response) => response.json());
  const verdict = sampleDataVerdict(sent);
  const expected = (await fetch(`${simulator.baseUrl}/_admin/expected-balances`).then((response) => response.json())) as SampleBalance[];
  // A believable account: one user paid out (an account credit), shown first on the sign-in form.
  const payee = verdict.ok ? samplePayee(expected, process.env.PAYOUT_THRESHOLDS || 'USD:10,EUR:10,GBP:10') : null;
  if (payee !== null) {
    log(`sample data: ${await makeSamplePayout({ payoutUrl: `http://127.0.0.1:${env.PAYOUT_PORT}`, adminToken: env.PAYOUT_ADMIN_TOKEN, payee, timeoutMs: 30_000 })}`);
  }
  const users = [...new Set([...(payee === null ? [] : [payee.aui]), ...expected.map((entry) => entry.aui)])];
  const sampleAui = users[0] ?? 'sim-user-0001';
  const dashboard = await startDashboard(root, env, users);
  services.push(dashboard);
  const graphqlUrl = `http://127.0.0.1:${env.QUERY_PORT}/graphql`;
  const query = `{ earnings(aui: "${sampleAui}") { aui balances { unit lifetime pending available paidOut } } }`;
  if (verdict.ok) {
    log(`sample data: the simulator sent its Wildfire callbacks to ${ingestUrl}: ${verdict.summary}`);
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    console.error(`\n[start] !!! NOT READY: the sample data did not arrive. ${verdict.problem}\n[start] !!! The services are running; fix the variables and start again.\n`);
  }
  console.log(`
  Dashboard: ${dashboard.baseUrl}/   (development sign-in as a simulator user, such as ${sampleAui})
  GraphQL:   ${graphqlUrl}   (GraphiQL: http://127.0.0.1:${env.QUERY_PORT}/graphiql)
  Callbacks: ${ingestUrl}
  Try:
    curl -s ${graphqlUrl} -H 'content-type: application/json' -H 'authorization: Bearer dev-api-key' \\
      -d '${JSON.stringify({ query })}'

  Ctrl-C stops everything.
`);
}

/**
 * The dashboard with its development sign-in: NODE_ENV=development for this process only, so the
 * sign-in (which signs anyone in as any user) exists only in `npm start`; the dashboard refuses it
 * in any other mode. It signs with the query service's QUERY_JWT_SECRET.
 */
async function startDashboard(root: string, env: Record<string, string>, simulatorUsers: string[]): Promise<ServiceProcess> {
  const dashboard = startServiceProcess({
    workspaceRoot: root,
    name: 'dashboard',
    port: Number(env.DASHBOARD_PORT),
    env: {
      NODE_ENV: 'development',
      DASHBOARD_PORT: env.DASHBOARD_PORT,
      DASHBOARD_QUERY_URL: `http://127.0.0.1:${env.QUERY_PORT}`,
      DASHBOARD_DEV_SIGN_IN: 'true',
      DASHBOARD_DEV_JWT_SECRET: env.QUERY_JWT_SECRET,
      DASHBOARD_DEV_USERS: simulatorUsers.slice(0, 20).join(','),
      // The simulator serves its stores' logos itself, as Wildfire's image host does.
      DASHBOARD_IMAGE_SOURCES: process.env.DASHBOARD_IMAGE_SOURCES || `${defaultImageSources},http://127.0.0.1:${env.SIMULATOR_PORT}`,
    },
    ownProcessGroup: true,
  });
  await waitUntilReady(dashboard, readinessPathOf('dashboard'));
  return dashboard;
}

main().catch(async (error: Error) => {
  console.error(`[start] failed: ${error.message}`);
  // The children run in process groups of their own: nothing else would stop them.
  if (stopEverything) await stopEverything('start-up failed', true);
  process.exit(1);
});
