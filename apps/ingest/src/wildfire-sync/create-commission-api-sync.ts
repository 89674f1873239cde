import { Metrics } from '@earnings/service-shell';
import { Wfav1Credentials, WildfireCommissionApiClient } from '@earnings/sources';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IngestConfig } from '../ingest.config';
import { IngestSettings } from '../ingest-settings';
import { WildfirePublisher } from '../wildfire/wildfire-publisher';
import { ApiPacer } from './api-pacer';
import { PartnerApiPacingRepository } from './partner-api-pacing.repository';
import { CommissionApiSyncService } from './commission-api-sync.service';
import { SyncResumePointRepository } from './sync-resume-point.repository';
import { SyncWatermarkRepository } from './sync-watermark.repository';

/**
 * Where the very first window starts by default: before any Wildfire application existed, and the
 * earliest date the input rules accept. A partner going live with existing users gets their whole
 * history without knowing about the backfill command.
 */
export const wildfireWholeHistoryStart = '2000-01-01T00:00:00.000000Z';

export function wildfireCredentials(config: IngestConfig): Wfav1Credentials {
  return { appId: config.WILDFIRE_APP_ID, appSecret: config.WILDFIRE_APP_SECRET, deviceToken: config.WILDFIRE_DEVICE_TOKEN, senderToken: config.WILDFIRE_SENDER_TOKEN };
}

/**
 * Every Wildfire API call of the application (commission pages, merchant lookups and lists) waits
 * for this one pacer: Wildfire rejects calls closer than 5 s whichever endpoint they go to.
 */
export function wildfireApiPacer(config: IngestConfig, dataSource: DataSource): ApiPacer {
  return new ApiPacer(new PartnerApiPacingRepository(dataSource), `wildfire:${config.WILDFIRE_API_BASE_URL}`, config.WILDFIRE_API_REQUEST_INTERVAL_MS_MIN);
}

/** Wires the sync from configuration; shared by the ingest service's schedule, the backfill command and reconcile. */
export function createCommissionApiSync(config: IngestConfig, dataSource: DataSource, publisher: WildfirePublisher, logger: Logger, metrics: Metrics): CommissionApiSyncService {
  const apiVersion = config.WILDFIRE_API_VERSION as 'v2' | 'v3' | 'v4';
  const client = new WildfireCommissionApiClient({
    baseUrl: config.WILDFIRE_API_BASE_URL,
    apiVersion,
    credentials: wildfireCredentials(config),
    requestTimeoutMs: config.WILDFIRE_API_REQUEST_TIMEOUT_MS,
    pageLimit: config.WILDFIRE_API_PAGE_LIMIT,
  });
  const settings = new IngestSettings(config);
  return new CommissionApiSyncService(
    client,
    wildfireApiPacer(config, dataSource),
    new SyncWatermarkRepository(dataSource),
    new SyncResumePointRepository(dataSource),
    publisher,
    dataSource,
    {
      apiVersion,
      overlapMs: config.WILDFIRE_SYNC_OVERLAP_MINUTES * 60_000,
      initialStart: config.WILDFIRE_SYNC_INITIAL_START || wildfireWholeHistoryStart,
      retryBudgetMs: config.WILDFIRE_SYNC_RETRY_BUDGET_MS,
      pagesPerWindowMax: config.WILDFIRE_SYNC_PAGES_PER_WINDOW_MAX,
      progressLogIntervalMs: config.WILDFIRE_SYNC_PROGRESS_LOG_INTERVAL_MS,
      normalise: settings.wildfireNormalise,
    },
    logger.child({ component: 'wildfire-sync' }),
    metrics,
  );
}
