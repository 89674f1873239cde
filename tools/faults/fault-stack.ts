import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WILDFIRE_FIXTURE_CALLBACK_KEY } from '@earnings/testing';
import { Client } from 'pg';
import { setup } from '../admin/setup';
import { queryApiKey, RunningApps, startApps } from '../e2e/test-stack';
import { dropDatabase, ensureDatabase } from '../local-stack/database';
import { AppName, ServiceProcess } from '../local-stack/processes';
import { payeePrefix } from './callback-load';
import { FaultBroker, startFaultBroker } from './fault-broker';
import { PrivatePostgres } from './private-postgres';

/** The product services of one instance set; the simulator is not needed (callbacks come from the suite). */
const instanceApps: AppName[] = ['ingest', 'ledger-projector', 'payout'];
export const payoutAdminToken = 'faults-payout-admin-token-0123456789';

export interface FaultStackOptions {
  scenario: string;
  /** 2 runs two of each of ingest, projector and payout in the same consumer groups. */
  instanceCount: 1 | 2;
  postgres: PrivatePostgres;
  /** Where this scenario's broker data and service logs go. */
  scratch: string;
  log: (message: string) => void;
}

/**
 * One scenario's stack: a fresh broker, a fresh database on the private PostgreSQL, topics and
 * migrations from the setup step, and the services from dist/ (plus one query service), each
 * instance set started by the e2e helper `startApps`. KAFKA_BROKERS and DATABASE_URL are set in
 * this process too, as the e2e helpers read them there.
 */
export class FaultStack {
  private constructor(
    readonly options: FaultStackOptions,
    readonly broker: FaultBroker,
    readonly databaseName: string,
    readonly databaseUrl: string,
    readonly env: Record<string, string>,
    readonly auiPrefix: string,
    readonly projectorGroup: string,
    readonly instances: RunningApps[],
    readonly query: RunningApps,
  ) {}

  static async start(options: FaultStackOptions): Promise<FaultStack> {
    mkdirSync(options.scratch, { recursive: true });
    const broker = await startFaultBroker(options.scratch, options.log);
    const databaseName = `earnings_faults_${options.scenario.replace(/[^a-z0-9]/g, '_')}_${process.pid}`;
    const instances: RunningApps[] = [];
    try {
      const databaseUrl = await ensureDatabase(options.postgres.serverUrl, databaseName, true);
      await setup({ databaseUrl, brokers: [broker.brokers], partitions: 3, replication: { replicationFactor: 1, minInSyncReplicas: 1 } });
      Object.assign(process.env, { KAFKA_BROKERS: broker.brokers, DATABASE_URL: databaseUrl, TEST_SCRATCH_DIR: options.scratch });
      const auiPrefix = `faults-${options.scenario}`;
      const projectorGroup = `faults-${options.scenario}-projector`;
      const env = serviceEnvironment(broker.brokers, databaseUrl, auiPrefix, projectorGroup, options.scenario);
      for (let instance = 0; instance < options.instanceCount; instance += 1) instances.push(await startApps(instanceApps, env));
      const query = await startApps(['query'], env);
      return new FaultStack(options, broker, databaseName, databaseUrl, env, auiPrefix, projectorGroup, instances, query);
    } catch (error) {
      // Set-up failed or a service never got ready: stop what did start, so the next scenario finds no leftovers.
      await Promise.allSettled(instances.map((instance) => instance.stopAll()));
      await broker.stop();
      await dropDatabase(options.postgres.serverUrl, databaseName).catch(() => undefined);
      throw error;
    }
  }

  ingestUrls(): string[] {
    return this.instances.map((instance) => instance.url('ingest', '/callbacks/wildfire'));
  }

  /** Every product service process now running (a restarted one replaces its predecessor). */
  services(): ServiceProcess[] {
    return [...this.instances, this.query].flatMap((instance) => [...instance.services.values()]);
  }

  async sql<T = Record<string, string>>(text: string, parameters: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, parameters)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The schema readers use now (a rebuild may switch it). */
  async ledgerSchema(): Promise<string> {
    const [{ schema_name: schema }] = await this.sql<{ schema_name: string }>(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`);
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected ledger schema ${schema}`);
    return schema;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.instances, this.query].map((instance) => instance.stopAll()));
    await this.broker.stop();
    await dropDatabase(this.options.postgres.serverUrl, this.databaseName).catch(() => undefined);
    for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'TEST_SCRATCH_DIR']) delete process.env[name];
  }
}

function serviceEnvironment(brokers: string, databaseUrl: string, auiPrefix: string, projectorGroup: string, scenario: string): Record<string, string> {
  return {
    ...queryApiKey('faults', 'faults-query-api-key').env,
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
    PROJECTOR_CONSUMER_GROUP: projectorGroup,
    PAYOUT_CONSUMER_GROUP: `faults-${scenario}-payout`,
    // 10 s instead of 30 s: a killed member's partitions wait this long for the broker to notice; the fault budget is 30 s.
    PROJECTOR_SESSION_TIMEOUT_MS: '10000',
    PAYOUT_SESSION_TIMEOUT_MS: '10000',
    PAYOUT_AUI_PREFIX: payeePrefix(auiPrefix),
    PAYOUT_ADMIN_TOKEN: payoutAdminToken,
    PAYOUT_THRESHOLDS: 'USD:10',
    // Users without a chosen method are credited in the partner's product: no provider stand-in needed, and every run pays.
    PAYOUT_DEFAULT_METHOD: 'account_credit',
    // Runs come from the suite's own loop, never from the schedule.
    PAYOUT_RUN_CRON: '0 0 1 1 *',
    PAYOUT_WORK_INTERVAL_MS: '100',
  };
}

export const scenarioScratch = (root: string, scenario: string): string => join(root, scenario);
