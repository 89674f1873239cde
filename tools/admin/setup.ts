import { topicSettings } from '@earnings/contracts';
import { createKafka, ensureTopics } from '@earnings/kafka';
import { runMigrations } from '@earnings/persistence';
import { createLogger, splitList } from '@earnings/service-shell';

/**
 * The one-shot setup step: database migrations, then the Kafka topics with explicit settings.
 * Safe to run again: applied migrations and existing topics are left alone.
 * Run by `npm start`, the test harness, the `setup` service in docker-compose and a Kubernetes Job.
 */
export async function setup(options: { databaseUrl: string; brokers: string[]; partitions: number; replicationFactor: number }): Promise<void> {
  const logger = createLogger('setup');
  const migrations = await runMigrations(options.databaseUrl);
  logger.info({ migrations }, migrations.length ? 'migrations applied' : 'database schema up to date');
  const kafka = createKafka({ brokers: options.brokers, clientId: 'earnings-setup' }, logger);
  const created = await ensureTopics(kafka, topicSettings(options.partitions), options.replicationFactor);
  logger.info({ created }, created.length ? 'topics created' : 'topics exist');
}

if (require.main === module) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('setup: DATABASE_URL is required\n');
    process.exit(1);
  }
  setup({
    databaseUrl,
    brokers: splitList(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    partitions: Number(process.env.KAFKA_TOPIC_PARTITIONS ?? 6),
    replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
  }).catch((error: Error) => {
    process.stderr.write(`setup failed: ${error.message}\n`);
    process.exit(1);
  });
}
