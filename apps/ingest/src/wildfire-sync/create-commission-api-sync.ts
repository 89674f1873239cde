import { Metrics } from '@earnings/service-shell';
import { WildfireCommissionApiClient } from '@earnings/sources';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IngestConfig } from '../ingest.config';
import { IngestSettings } from '../ingest-settings';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { ApiPacer } from './api-pacer';
import { CommissionApiSyncService } from './commission-api-sync.service';
import { SyncWatermarkRepository } from './sync-watermark.repository';

const ninetyDaysMs = 90 * 24 * 3600_000;

/** Wires the sync from configuration; shared by the ingest service's schedule and the backfill command. */
export function createCommissionApiSync(config: IngestConfig, dataSource: DataSource, publisher: InboundPublisher, logger: Logger, metrics: Metrics): CommissionApiSyncService {
  const apiVersion = config.WILDFIRE_API_VERSION as 'v2' | 'v3' | 'v4';
  const client = new WildfireCommissionApiClient({
    baseUrl: config.WILDFIRE_API_BASE_URL,
    apiVersion,
    credentials: {
      appId: config.WILDFIRE_APP_ID,
      appSecret: config.WILDFIRE_APP_SECRET,
      deviceToken: config.WILDFIRE_DEVICE_TOKEN,
      senderToken: config.WILDFIRE_SENDER_TOKEN,
    },
    requestTimeoutMs: config.WILDFIRE_API_REQUEST_TIMEOUT_MS,
    pageLimit: config.WILDFIRE_API_PAGE_LIMIT,
  });
  const settings = new IngestSettings(config);
  return new CommissionApiSyncService(
    client,
    new ApiPacer(dataSource, `wildfire:${config.WILDFIRE_API_BASE_URL}`, config.WILDFIRE_API_REQUEST_INTERVAL_MS_MIN),
    new SyncWatermarkRepository(dataSource),
    publisher,
    dataSource,
    {
      apiVersion,
      overlapMs: config.WILDFIRE_SYNC_OVERLAP_MINUTES * 60_000,
      initialStart: config.WILDFIRE_SYNC_INITIAL_START || new Date(Date.now() - ninetyDaysMs).toISOString(),
      retryBudgetMs: config.WILDFIRE_SYNC_RETRY_BUDGET_MS,
      pagesPerWindowMax: config.WILDFIRE_SYNC_PAGES_PER_WINDOW_MAX,
      normalise: settings.wildfireNormalise,
    },
    logger.child({ component: 'wildfire-sync' }),
    metrics,
  );
}
