import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { canonicalTimestamp } from '@earnings/domain';
import { BatchingProducer, createKafka } from '@earnings/kafka';
import { createDataSource } from '@earnings/persistence';
import { loadConfig, Metrics, runMain } from '@earnings/service-shell';
import { IngestConfig } from '../ingest.config';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { createCommissionApiSync } from '../wildfire-sync/create-commission-api-sync';
import { MerchantDirectoryRepository } from '../wildfire-merchants/merchant-directory.repository';
import { merchantIdsToLookUp } from '@earnings/domain';
import { TrackingCodeRepository } from '../wildfire/tracking-code.repository';
import { WildfirePublisher } from '../wildfire/wildfire-publisher';

/**
 * Pulls any modified-date range from the Wildfire Commission API into Kafka, with the same
 * pacing (shared with the running service's sync, across processes), retries, normaliser and
 * progress lines as the scheduled sync. The watermark is left alone; the ledger drops versions it
 * already has, so overlapping a synced range is safe. Merchants it meets are noted for the
 * running service to look up.
 *
 *   node dist/apps/ingest/src/commands/wildfire-backfill.js --from 2024-01-01T00:00:00Z --to 2024-02-01T00:00:00Z
 */
runMain('wildfire-backfill', async (logger) => {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to) throw new Error('usage: wildfire-backfill --from <ISO-8601> --to <ISO-8601>');
  const [from, to] = [canonicalTimestamp(values.from), canonicalTimestamp(values.to)];
  const config = loadConfig(IngestConfig);
  if (!config.WILDFIRE_API_BASE_URL) throw new Error('WILDFIRE_API_BASE_URL and the WFAV1 credentials are required for a backfill');
  const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-wildfire-backfill', poolSizeMax: 2 });
  const producer = new BatchingProducer(createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-wildfire-backfill' }, logger), { lingerMs: 0, batchMessagesMax: 5_000, acknowledgementTimeoutMs: config.KAFKA_ACKNOWLEDGEMENT_TIMEOUT_MS });
  await dataSource.initialize();
  await producer.connect();
  try {
    const metrics = new Metrics();
    const merchants = new MerchantDirectoryRepository(dataSource);
    const keepers = { trackingCodes: new TrackingCodeRepository(dataSource), merchants: { noteSeen: (ids: readonly (string | null)[]) => merchants.noteSeen(merchantIdsToLookUp(ids)) } };
    const sync = createCommissionApiSync(config, dataSource, new WildfirePublisher(new InboundPublisher(producer), keepers, metrics, logger), logger, metrics);
    const outcome = await sync.pullWindow(from, to);
    logger.info(outcome, 'backfill finished');
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } finally {
    await producer.disconnect();
    await dataSource.destroy();
  }
});
