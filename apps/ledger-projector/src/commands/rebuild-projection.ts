import 'reflect-metadata';
import { createKafka } from '@earnings/kafka';
import { createDataSource } from '@earnings/persistence';
import { createLogger } from '@earnings/service-shell';
import { rebuildProjection, replayDefaults } from '../rebuild/projection-rebuild';

/**
 * Rebuilds the ledger projection by replay into a new schema and reports any per-(AUI, unit)
 * difference from the live one.
 *
 *   node dist/apps/ledger-projector/src/commands/rebuild-projection.js [--switch] [--drop-old]
 *
 * --switch points readers at the rebuilt schema, only when there is no difference; the running
 * projector notices within PROJECTION_POINTER_POLL_MS and continues there from the rebuild's
 * offsets. --drop-old then drops the old schema once its outbox is relayed. Reads DATABASE_URL,
 * KAFKA_BROKERS and PROJECTOR_CONSUMER_GROUP (the live projector's). Prints the report as one
 * JSON line; exits 1 when there are differences. --aui-prefix=<p> compares only those AUIs (see
 * RebuildOptions.compareAuiPrefix for why a shared test cluster needs it).
 */
const usage = 'usage: rebuild-projection [--switch] [--drop-old] [--aui-prefix=<prefix>]';
const prefixFlag = '--aui-prefix=';

async function main(): Promise<number> {
  const flags = process.argv.slice(2);
  const unknown = flags.filter((flag) => flag !== '--switch' && flag !== '--drop-old' && !flag.startsWith(prefixFlag));
  const prefix = flags.find((flag) => flag.startsWith(prefixFlag))?.slice(prefixFlag.length) ?? null;
  if (unknown.length > 0 || (flags.includes('--drop-old') && !flags.includes('--switch'))) {
    console.error(`${usage}\n(--drop-old needs --switch; unknown: ${unknown.join(' ') || 'none'})`);
    return 2;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is required');
    return 2;
  }
  const logger = createLogger('ledger-rebuild');
  const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'earnings-ledger-rebuild' }, logger);
  // Without TypeORM's error log, which prints every parameter of a failed chunk; the consumer logs the statement and the event's key.
  const dataSource = createDataSource({ url: databaseUrl, applicationName: 'earnings-ledger-rebuild' }).setOptions({ logging: ['migration'] });
  await dataSource.initialize();
  try {
    const report = await rebuildProjection(kafka, dataSource, {
      liveConsumerGroup: process.env.PROJECTOR_CONSUMER_GROUP ?? 'ledger-projector',
      switchReaders: flags.includes('--switch'),
      dropOld: flags.includes('--drop-old'),
      compareAuiPrefix: prefix,
      ...replayDefaults,
    }, logger);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.differenceCount === 0 ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
