import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { clusterReader, ClusterReader, createKafka, KafkaClient, kafkaReadinessCheck } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { Metrics, Readiness, ServiceShellModule } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { OperationsExporterConfig } from './operations-exporter.config';
import { registerOperationsGauges } from './operations-gauges';

const KAFKA = Symbol('kafka');
const CONFIG = Symbol('config');
const LOGGER = Symbol('logger');

/** Wires the operations gauges to the shell's /metrics; no behaviour of its own. */
@Module({})
export class OperationsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private cluster: ClusterReader | null = null;

  constructor(
    @Inject(KAFKA) private readonly kafka: KafkaClient,
    @Inject(CONFIG) private readonly config: OperationsExporterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly readiness: Readiness,
  ) {}

  static register(config: OperationsExporterConfig, logger: Logger): DynamicModule {
    return {
      module: OperationsModule,
      imports: [ServiceShellModule],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: KAFKA, useValue: createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-operations-exporter' }, logger) },
        { provide: DataSource, useValue: createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-operations-exporter' }) },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    this.cluster = clusterReader(this.kafka);
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    const gauges = registerOperationsGauges(this.metrics.registry, {
      cluster: this.cluster, database: this.dataSource, projectorGroup: this.config.PROJECTOR_CONSUMER_GROUP, payoutGroup: this.config.PAYOUT_CONSUMER_GROUP,
      payoutRewardGroup: this.config.PAYOUT_REWARD_CONSUMER_GROUP || `${this.config.PAYOUT_CONSUMER_GROUP}-rewards`,
      onReadFailure: (source, error) => this.logger.warn({ source, err: error }, 'could not read a source for the operations metrics; its figures are stale'),
    });
    this.metrics.beforeScrape(() => gauges.refresh());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
