import { Metrics } from '@earnings/service-shell';
import { WildfireMerchantApiClient } from '@earnings/sources';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IngestConfig } from '../ingest.config';
import { wildfireApiPacer, wildfireCredentials } from '../wildfire-sync/create-commission-api-sync';
import { defaultMerchantDirectoryOptions, MerchantDirectoryService } from './merchant-directory.service';
import { MerchantDirectoryRepository } from './merchant-directory.repository';

/** Wires the merchant directory from configuration; without WILDFIRE_API_BASE_URL it only notes the merchants seen. */
export function createMerchantDirectory(config: IngestConfig, dataSource: DataSource, logger: Logger, metrics: Metrics): MerchantDirectoryService {
  const client = config.WILDFIRE_API_BASE_URL === ''
    ? null
    : new WildfireMerchantApiClient({ baseUrl: config.WILDFIRE_API_BASE_URL, credentials: wildfireCredentials(config), requestTimeoutMs: config.WILDFIRE_API_REQUEST_TIMEOUT_MS });
  return new MerchantDirectoryService(
    client,
    wildfireApiPacer(config, dataSource),
    new MerchantDirectoryRepository(dataSource),
    dataSource,
    { ...defaultMerchantDirectoryOptions, listIntervalHours: config.WILDFIRE_MERCHANT_SYNC_INTERVAL_HOURS, retryBudgetMs: config.WILDFIRE_SYNC_RETRY_BUDGET_MS },
    logger.child({ component: 'wildfire-merchants' }),
    metrics,
  );
}
