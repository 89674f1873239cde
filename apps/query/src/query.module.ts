import { DynamicModule, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { createKafka, kafkaReadinessCheck } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { Readiness, ServiceShellModule } from '@earnings/service-shell';
import { Kafka } from 'kafkajs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EarningsRepository } from './earnings/earnings.repository';
import { EarningsResolver } from './earnings/earnings.resolver';
import { DateTimeScalar, DecimalScalar } from './graphql/scalars';
import { QueryConfig } from './query.config';

/** Where the checked-in SDL lives; the served schema is built from it and tested against it. */
export const schemaFile = join(__dirname, 'graphql', 'schema.graphql');

@Module({})
export class QueryModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource, private readonly kafka: Kafka, private readonly readiness: Readiness) {}

  static register(config: QueryConfig, logger: Logger): DynamicModule {
    const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-query' });
    return {
      module: QueryModule,
      imports: [
        ServiceShellModule,
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          typePaths: [schemaFile],
          resolvers: { Decimal: DecimalScalar, DateTime: DateTimeScalar },
          path: '/graphql',
          graphiql: config.GRAPHIQL,
          // graphql-jit compiles a query after it has been seen this many times.
          jit: 1,
        }),
      ],
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: Kafka, useValue: createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-query' }, logger) },
        { provide: EarningsRepository, useValue: new EarningsRepository(dataSource) },
        EarningsResolver,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    this.readiness.register(kafkaReadinessCheck(this.kafka));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
