import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createKafka, kafkaReadinessCheck } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { Readiness, ServiceShellModule } from '@earnings/service-shell';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { BalanceViewConsumer } from './balances/balance-view.consumer';
import { PayoutConfig } from './payout.config';

const CONFIG = 'PAYOUT_CONFIG';
const LOGGER = 'LOGGER';

@Module({})
export class PayoutModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private balances: BalanceViewConsumer | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: PayoutConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
  ) {}

  static register(config: PayoutConfig, logger: Logger): DynamicModule {
    return {
      module: PayoutModule,
      imports: [ServiceShellModule],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Kafka, useValue: createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-payout' }, logger) },
        { provide: DataSource, useValue: createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-payout' }) },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    this.balances = new BalanceViewConsumer(this.kafka, this.dataSource, this.config.PAYOUT_CONSUMER_GROUP, this.logger);
    await this.balances.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.balances?.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
