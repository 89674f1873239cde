import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createKafka, kafkaReadinessCheck } from '@earnings/kafka';
import { createDataSource, currentProjectionSchema, postgresReadinessCheck } from '@earnings/persistence';
import { Metrics, Readiness, ServiceShellModule } from '@earnings/service-shell';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox/outbox-relay';
import { LedgerProjectionConsumer } from './projection/ledger-projection.consumer';
import { LedgerStore } from './projection/ledger-store';
import { ProjectorConfig } from './projector.config';

const CONFIG = 'PROJECTOR_CONFIG';
const LOGGER = 'LOGGER';

@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: LedgerProjectionConsumer | null = null;
  private relay: OutboxRelay | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: ProjectorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
    private readonly metrics: Metrics,
  ) {}

  static register(config: ProjectorConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [ServiceShellModule],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Kafka, useValue: createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-ledger-projector' }, logger) },
        { provide: DataSource, useValue: createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-ledger-projector' }) },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    const schema = await currentProjectionSchema(this.dataSource);
    const store = new LedgerStore(this.dataSource, schema, this.config.PROJECTOR_CONSUMER_GROUP);
    this.consumer = new LedgerProjectionConsumer(this.kafka, store, {
      groupId: this.config.PROJECTOR_CONSUMER_GROUP,
      chunkEventsMax: this.config.PROJECTOR_CHUNK_EVENTS_MAX,
      fetchWaitMsMax: this.config.PROJECTOR_FETCH_WAIT_MS_MAX,
    }, this.logger, this.metrics);
    this.relay = new OutboxRelay(this.kafka, this.dataSource, schema, this.config.OUTBOX_POLL_INTERVAL_MS, this.logger);
    await this.relay.start();
    await this.consumer.start();
    this.logger.info({ schema, group: this.config.PROJECTOR_CONSUMER_GROUP }, 'projecting the ledger');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.relay?.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
