import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BatchingProducer, createKafka, explainKafkaFailure, kafkaReadinessCheck, produceDurationObserver } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { Metrics, Readiness, Recurring, ServiceShellModule } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IngestExceptionFilter } from './errors/ingest.exception';
import { IngestConfig } from './ingest.config';
import { IngestSettings } from './ingest-settings';
import { InboundPublisher } from './publishing/inbound-publisher';
import { WildfireCallbackController } from './wildfire/wildfire-callback.controller';
import { FirstPromoterWebhookController } from './firstpromoter/firstpromoter-webhook.controller';
import { WebhookDeliveryRepository } from './firstpromoter/repositories/webhook-delivery.repository';
import { FirstPromoterDirectoryRepository } from './firstpromoter/repositories/firstpromoter-directory.repository';
import { FirstPromoterVersionRepository } from './firstpromoter/repositories/firstpromoter-version.repository';
import { FirstPromoterIngestService } from './firstpromoter/services/firstpromoter-ingest.service';
import { FirstPromoterVersionService } from './firstpromoter/services/firstpromoter-version.service';
import { createCommissionApiSync } from './wildfire-sync/create-commission-api-sync';
import { createMerchantDirectory } from './wildfire-merchants/create-merchant-directory';
import { MerchantDirectoryService } from './wildfire-merchants/merchant-directory.service';
import { TrackingCodeRepository } from './wildfire/tracking-code.repository';
import { WildfirePublisher } from './wildfire/wildfire-publisher';
import { WildfireCallbackService } from './wildfire/wildfire-callback.service';
import { CommissionReconciliationService } from './firstpromoter-sync/commission-reconciliation.service';
import { FirstPromoterApiClient } from '@earnings/sources';

const KAFKA = 'KAFKA';
const LOGGER = 'LOGGER';

@Module({})
export class IngestModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly scheduledRuns: Recurring[] = [];

  constructor(
    private readonly settings: IngestSettings,
    private readonly publisher: InboundPublisher,
    private readonly wildfirePublisher: WildfirePublisher,
    private readonly merchants: MerchantDirectoryService,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly producer: BatchingProducer,
    private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
    @Inject(KAFKA) private readonly kafka: ReturnType<typeof createKafka>,
    private readonly firstPromoterVersions: FirstPromoterVersionService,
    private readonly firstPromoterDirectory: FirstPromoterDirectoryRepository,
  ) {}

  static register(config: IngestConfig, logger: Logger): DynamicModule {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-ingest' }, logger);
    return {
      module: IngestModule,
      imports: [ServiceShellModule],
      controllers: [WildfireCallbackController, FirstPromoterWebhookController],
      providers: [
        { provide: IngestSettings, useValue: new IngestSettings(config) },
        { provide: KAFKA, useValue: kafka },
        { provide: LOGGER, useValue: logger },
        {
          provide: BatchingProducer,
          useFactory: (metrics: Metrics) => new BatchingProducer(kafka, {
            lingerMs: config.KAFKA_PRODUCER_LINGER_MS, batchMessagesMax: 500, acknowledgementTimeoutMs: config.KAFKA_ACKNOWLEDGEMENT_TIMEOUT_MS, observeProduceDuration: produceDurationObserver(metrics.registry, 'ingest'),
          }),
          inject: [Metrics],
        },
        { provide: DataSource, useValue: createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-ingest', poolSizeMax: 5 }) },
        { provide: WebhookDeliveryRepository, useFactory: (dataSource: DataSource) => new WebhookDeliveryRepository(dataSource), inject: [DataSource] },
        { provide: FirstPromoterDirectoryRepository, useFactory: (dataSource: DataSource) => new FirstPromoterDirectoryRepository(dataSource), inject: [DataSource] },
        {
          provide: FirstPromoterVersionService,
          useFactory: (dataSource: DataSource, metrics: Metrics) => new FirstPromoterVersionService(new FirstPromoterVersionRepository(dataSource), metrics),
          inject: [DataSource, Metrics],
        },
        { provide: InboundPublisher, useFactory: (producer: BatchingProducer) => new InboundPublisher(producer), inject: [BatchingProducer] },
        {
          provide: FirstPromoterIngestService,
          useFactory: (publisher: InboundPublisher, deliveries: WebhookDeliveryRepository, directory: FirstPromoterDirectoryRepository, versions: FirstPromoterVersionService, settings: IngestSettings, metrics: Metrics) =>
            new FirstPromoterIngestService(publisher, deliveries, directory, versions, {
              normalise: settings.firstPromoterNormalise, deliveredUnits: settings.firstPromoterDeliveredUnits, v2IsTheRecord: settings.firstPromoterV2IsTheRecord,
            }, metrics),
          inject: [InboundPublisher, WebhookDeliveryRepository, FirstPromoterDirectoryRepository, FirstPromoterVersionService, IngestSettings, Metrics],
        },
        {
          provide: MerchantDirectoryService,
          useFactory: (dataSource: DataSource, metrics: Metrics) => createMerchantDirectory(config, dataSource, logger, metrics),
          inject: [DataSource, Metrics],
        },
        {
          provide: WildfirePublisher,
          useFactory: (publisher: InboundPublisher, dataSource: DataSource, merchants: MerchantDirectoryService, metrics: Metrics) =>
            new WildfirePublisher(publisher, { trackingCodes: new TrackingCodeRepository(dataSource), merchants }, metrics, logger.child({ component: 'wildfire' })),
          inject: [InboundPublisher, DataSource, MerchantDirectoryService, Metrics],
        },
        {
          provide: WildfireCallbackService,
          useFactory: (publisher: WildfirePublisher, settings: IngestSettings) => new WildfireCallbackService(publisher, settings.wildfireNormalise),
          inject: [WildfirePublisher, IngestSettings],
        },
        { provide: APP_FILTER, useClass: IngestExceptionFilter },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    // Not ready (with the reason) rather than exiting when Kafka refuses the connection, such as a wrong password.
    await this.producer.connectOrKeepTrying((error) => this.logger.error({ reason: explainKafkaFailure(error) }, 'cannot connect to Kafka; callbacks are answered 503 until it can'));
    await this.dataSource.initialize();
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
  }

  async onApplicationBootstrap(): Promise<void> {
    const config = this.settings.config;
    if (config.WILDFIRE_API_BASE_URL === '') {
      this.logger.warn('WILDFIRE_API_BASE_URL is not set: no Commission API sync, so a dropped callback is never repaired');
    } else {
      const sync = createCommissionApiSync(config, this.dataSource, this.wildfirePublisher, this.logger, this.metrics);
      this.schedule({ name: 'wildfire-commission-sync', intervalMinutes: config.WILDFIRE_SYNC_INTERVAL_MINUTES, runAtStart: config.WILDFIRE_SYNC_ON_START, run: () => sync.syncToNow(new Date()), requestStop: () => sync.requestStop() });
      this.merchants.startLookups();
      if (config.WILDFIRE_MERCHANT_SYNC_INTERVAL_HOURS > 0) {
        // Checked hourly, read when due: a restart neither skips nor repeats the daily read.
        this.schedule({ name: 'wildfire-merchant-list-sync', intervalMinutes: 60, runAtStart: true, run: () => this.syncMerchantList() });
      }
    }
    if (config.FIRSTPROMOTER_API_KEY !== '') {
      const client = new FirstPromoterApiClient({ baseUrl: config.FIRSTPROMOTER_API_BASE_URL, apiKey: config.FIRSTPROMOTER_API_KEY, accountId: config.FIRSTPROMOTER_ACCOUNT_ID });
      const reconciliation = new CommissionReconciliationService(
        client, this.publisher, this.firstPromoterDirectory, this.firstPromoterVersions, this.settings.firstPromoterNormalise, this.logger.child({ component: 'firstpromoter-reconciliation' }), this.metrics,
      );
      this.schedule({ name: 'firstpromoter-reconciliation', intervalMinutes: config.FIRSTPROMOTER_RECONCILE_INTERVAL_MINUTES, runAtStart: config.FIRSTPROMOTER_RECONCILE_ON_START, run: () => reconciliation.reconcile() });
    }
  }

  private async syncMerchantList(): Promise<void> {
    try {
      await this.merchants.syncListIfDue(new Date());
    } catch (error) {
      this.logger.error({ err: error }, 'wildfire merchant list sync failed; merchants seen on commissions are still looked up by id, and the list is read again within the hour');
    }
  }

  /**
   * A partner pull every `intervalMinutes` after the previous one ended (and once at start when
   * asked), as Recurring work. A failed run is logged and counted by the job itself and the next
   * one resumes from its stored state; on shutdown a run in progress is asked to stop and awaited.
   */
  private schedule(options: { name: string; intervalMinutes: number; runAtStart: boolean; run: () => Promise<unknown>; requestStop?: () => void }): void {
    const run = new Recurring({ name: options.name, intervalMs: options.intervalMinutes * 60_000, runAtStart: options.runAtStart, logger: this.logger }, async (stopping) => {
      if (options.requestStop) stopping.addEventListener('abort', options.requestStop, { once: true });
      // Errors are logged and counted inside the job; the schedule itself never stops.
      await options.run().catch(() => undefined);
    });
    run.start();
    this.scheduledRuns.push(run);
    this.logger.info({ job: options.name, intervalMinutes: options.intervalMinutes, runAtStart: options.runAtStart }, 'scheduled');
  }

  /** Requests in flight have been answered by now; wait for their Kafka batches, then close. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.scheduledRuns.map((run) => run.stop()), this.merchants.stop()]);
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}
