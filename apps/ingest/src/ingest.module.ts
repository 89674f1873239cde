import { DynamicModule, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BatchingProducer, createKafka, kafkaReadinessCheck } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { Readiness, ServiceShellModule } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IngestExceptionFilter } from './errors/ingest.exception';
import { IngestConfig } from './ingest.config';
import { IngestSettings } from './ingest-settings';
import { InboundPublisher } from './publishing/inbound-publisher';
import { WildfireCallbackController } from './wildfire/wildfire-callback.controller';

const KAFKA = 'KAFKA';

@Module({})
export class IngestModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly producer: BatchingProducer,
    private readonly dataSource: DataSource,
    private readonly readiness: Readiness,
    @Inject(KAFKA) private readonly kafka: ReturnType<typeof createKafka>,
  ) {}

  static register(config: IngestConfig, logger: Logger): DynamicModule {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-ingest' }, logger);
    return {
      module: IngestModule,
      imports: [ServiceShellModule],
      controllers: [WildfireCallbackController],
      providers: [
        { provide: IngestSettings, useValue: new IngestSettings(config) },
        { provide: KAFKA, useValue: kafka },
        { provide: BatchingProducer, useValue: new BatchingProducer(kafka, { lingerMs: config.KAFKA_PRODUCER_LINGER_MS, batchMessagesMax: 500 }) },
        { provide: DataSource, useValue: createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-ingest', poolSizeMax: 5 }) },
        { provide: InboundPublisher, useFactory: (producer: BatchingProducer) => new InboundPublisher(producer), inject: [BatchingProducer] },
        { provide: APP_FILTER, useClass: IngestExceptionFilter },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
    await this.dataSource.initialize();
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(postgresReadinessCheck(this.dataSource));
  }

  /** Requests in flight have been answered by now; wait for their Kafka batches, then close. */
  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}
