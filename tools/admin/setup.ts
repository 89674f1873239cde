import { topicSettings } from '@earnings/contracts';
import { createKafka, explainKafkaFailure, reconcileTopics, TopicReplication, TopicsReport } from '@earnings/kafka';
import { runMigrations } from '@earnings/persistence';
import { ConfigError, createLogger, loadConfig, splitList } from '@earnings/service-shell';
import { IsInt, Matches, Max, Min } from 'class-validator';
import type { Logger } from 'pino';

/** What the setup step reads; Kafka's security variables are read by createKafka, like every client's. */
export class SetupConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = '';

  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Partitions of the keyed topics (the dead-letter topics have one); existing topics are raised to it, never lowered. */
  @IsInt() @Min(1) @Max(10_000)
  KAFKA_TOPIC_PARTITIONS = 6;

  /** Copies of each message: 3 in production, 1 on a single local broker. */
  @IsInt() @Min(1) @Max(16)
  KAFKA_REPLICATION_FACTOR = 1;

  /** Copies that must have a message before acks=all acknowledges it: 2 in production, 1 locally. */
  @IsInt() @Min(1) @Max(16)
  KAFKA_MIN_INSYNC_REPLICAS = 1;
}

/** Reads and checks SetupConfig; min.insync.replicas above the replication factor would refuse every acks=all write. */
export function loadSetupConfig(environment: NodeJS.ProcessEnv = process.env): SetupConfig {
  const config = loadConfig(SetupConfig, environment);
  if (config.KAFKA_MIN_INSYNC_REPLICAS > config.KAFKA_REPLICATION_FACTOR) {
    throw new ConfigError([
      `KAFKA_MIN_INSYNC_REPLICAS: ${config.KAFKA_MIN_INSYNC_REPLICAS} exceeds KAFKA_REPLICATION_FACTOR ${config.KAFKA_REPLICATION_FACTOR}: every acks=all write would be refused`,
    ]);
  }
  return config;
}

/**
 * The one-shot setup step: database migrations, then the Kafka topics with explicit settings
 * (created, or reconciled when they exist: see reconcileTopics). Safe to run again. Run by
 * `npm start`, the test harness, the `setup` service in docker-compose and a Kubernetes Job.
 */
export async function setup(options: { databaseUrl: string; brokers: string[]; partitions: number; replication: TopicReplication }): Promise<TopicsReport> {
  const logger = createLogger('setup');
  const migrations = await runMigrations(options.databaseUrl);
  logger.info({ migrations }, migrations.length ? 'migrations applied' : 'database schema up to date');
  const { replicationFactor, minInSyncReplicas } = options.replication;
  if (replicationFactor > 1 && minInSyncReplicas === 1) {
    logger.warn({ replicationFactor, minInSyncReplicas }, 'KAFKA_MIN_INSYNC_REPLICAS is 1: a write acknowledged with acks=all may exist on one broker only; set 2 with a replication factor of 3');
  }
  const kafka = createKafka({ brokers: options.brokers, clientId: 'earnings-setup' }, logger);
  const report = await reconcileTopics(kafka, topicSettings(options.partitions), options.replication);
  logTopicsReport(report, logger);
  return report;
}

function logTopicsReport(report: TopicsReport, logger: Logger): void {
  if (report.created.length > 0) logger.info({ created: report.created }, 'topics created');
  for (const change of report.changed) logger.info(change, `topic ${change.topic}: ${change.setting} changed from ${change.from} to ${change.to}`);
  for (const kept of report.notChanged) logger.warn(kept, `topic ${kept.topic}: ${kept.setting} not changed: ${kept.reason}`);
  if (report.created.length === 0 && report.changed.length === 0 && report.notChanged.length === 0) logger.info('topics exist with their settings');
}

if (require.main === module) {
  try {
    const config = loadSetupConfig();
    setup({
      databaseUrl: config.DATABASE_URL,
      brokers: splitList(config.KAFKA_BROKERS),
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replication: { replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInSyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS },
    }).catch((error: Error) => {
      // A refused connection says which variables to check (credentials, the CA), as readiness does.
      process.stderr.write(`setup failed: ${error.name.startsWith('KafkaJS') ? explainKafkaFailure(error) : error.message}\n`);
      process.exit(1);
    });
  } catch (error) {
    process.stderr.write(`setup: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
