import { createKafka } from '@earnings/kafka';
import { createDataSource } from '@earnings/persistence';
import { createLogger } from '@earnings/service-shell';
import { rebuildProjection, replayDefaults } from '../../apps/ledger-projector/src/rebuild/projection-rebuild';
import { generateScenario, produceScenario } from '../e2e/ledger-scenario';
import { createSuiteDatabase, requireTestInfrastructure, startApps, topicEndOffset, uniqueSuffix, waitForProjectorToCatchUp } from '../e2e/test-stack';
import { Topics } from '@earnings/contracts';
import { runSoak } from './run-soak';

/**
 * How long a rebuild by replay takes for REBUILD_EVENTS messages (default 100,000). Tops the
 * commission-observed topic up to that many (the shared topic often holds them already), lets a
 * live projector catch up on a fresh database, then times a rebuild into a new schema (no switch).
 * Prints seconds; a figure, never an assertion.
 *
 *   npm run bench:rebuild            REBUILD_EVENTS=1000000 npm run bench:rebuild
 */
const targetMessages = BigInt(process.env.REBUILD_EVENTS ?? 100_000);

async function main(): Promise<void> {
  const { brokers } = requireTestInfrastructure();
  const shortfall = targetMessages - (await topicEndOffset(Topics.commissionObserved));
  if (shortfall > 0n) {
    const scenario = generateScenario({ seed: 42, auiPrefix: `rebuild-timing-${uniqueSuffix()}`, observationCount: Number(shortfall) });
    await produceScenario(brokers, scenario);
  }
  const database = await createSuiteDatabase('rebuild_timing');
  const group = `rebuild-timing-${uniqueSuffix()}`;
  const apps = await startApps(['ledger-projector'], { KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: group, LOG_LEVEL: 'warn' });
  const logger = createLogger('rebuild-timing', 'warn');
  const dataSource = createDataSource({ url: database.url, applicationName: 'rebuild-timing' });
  try {
    const liveStartedAt = Date.now();
    await waitForProjectorToCatchUp(database.url, group, 60 * 60_000);
    const liveSeconds = (Date.now() - liveStartedAt) / 1000;
    await dataSource.initialize();
    const kafka = createKafka({ brokers: brokers.split(','), clientId: 'rebuild-timing' }, logger);
    const report = await rebuildProjection(kafka, dataSource, {
      liveConsumerGroup: group, switchReaders: false, dropOld: false, compareAuiPrefix: null, ...replayDefaults,
    }, logger);
    const messages = Number(report.messagesReplayed);
    console.log(JSON.stringify({
      messagesReplayed: messages,
      rebuildSeconds: Number(report.replaySeconds.toFixed(1)),
      messagesPerSecond: Math.round(messages / report.replaySeconds),
      liveProjectorCatchUpSeconds: liveSeconds,
      differenceCount: report.differenceCount,
    }, null, 2));
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await apps.stopAll();
    await database.drop();
  }
}

runSoak('rebuild-timing', async () => {
  await main();
  return 0;
});
