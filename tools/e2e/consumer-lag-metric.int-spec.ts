import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ledgerInputTopics } from '@earnings/contracts';
import { workspaceRoot } from '@earnings/testing';
import { moveGroupToEnd } from '@earnings/kafka';
import { freePort } from '../local-stack/kafka-broker';
import { commission, produceCommissions } from './payout-scenario';
import { createSuiteDatabase, eventually, projectFromCurrentEnd, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, testKafka, uniqueSuffix } from './test-stack';

/**
 * Issue 15: the operations exporter's lag metric, measured from Kafka's committed offsets outside
 * the projector, rises while the projector is stopped and falls back to 0 once it has caught up.
 */
describe('kafka_consumer_group_lag_messages', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let exporter: ChildProcess;
  let exporterPort: number;
  const group = `lag-metric-${uniqueSuffix()}`;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('lag_metric');
    await projectFromCurrentEnd(database.url, group);
    await commitCurrentEnds(group);
    env = { KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: group, PROJECTOR_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'warn' };
    apps = await startApps(['ledger-projector'], env);
    exporterPort = await freePort();
    exporter = spawn(process.execPath, [join(workspaceRoot(), 'dist/tools/operations/operations-exporter.js')], {
      env: { ...process.env, ...env, OPERATIONS_METRICS_PORT: String(exporterPort) }, stdio: 'ignore',
    });
    await eventually(() => fetch(`http://127.0.0.1:${exporterPort}/health/ready`).then((response) => response.status, () => 0), (status) => status === 200, 60_000);
  }, 120_000);

  afterAll(async () => {
    exporter?.kill('SIGTERM');
    await apps?.stopAll();
    await database?.drop();
  });

  it('rises while the projector is stopped and falls to 0 after it caught up', async () => {
    expect(await totalLag(exporterPort, group)).toBe(0);
    await apps.services.get('ledger-projector')?.stop();

    const prefix = `${group}-user`;
    await produceCommissions(Array.from({ length: 40 }, (_, index) => commission({ aui: `${prefix}-${index % 7}`, commissionId: `${group}-${index}`, amount: '1.5' })));
    const risen = await eventually(() => totalLag(exporterPort, group), (lag) => lag >= 40, 30_000);
    expect(risen).toBe(40);

    await restartApp(apps, 'ledger-projector', env);
    expect(await eventually(() => totalLag(exporterPort, group), (lag) => lag === 0, 60_000)).toBe(0);
  }, 180_000);
});

/** As `kafka-consumer-groups.sh --reset-offsets --to-latest` would: the group starts with nothing unread on the shared topics. */
async function commitCurrentEnds(groupId: string): Promise<void> {
  await moveGroupToEnd(testKafka('lag-metric-setup'), groupId, ledgerInputTopics);
}

/** Sums the group's lag over every partition from one scrape of /metrics; a missing series fails the probe. */
async function totalLag(port: number, group: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const series = text.split('\n').filter((line) => line.startsWith('kafka_consumer_group_lag_messages{') && line.includes(`group="${group}"`));
  if (series.length === 0) return Number.NaN;
  return series.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
