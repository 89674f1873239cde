import { DynamicModule, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { createKafka, KafkaClient, kafkaReadinessCheck } from '@earnings/kafka';
import { createDataSource, postgresReadinessCheck } from '@earnings/persistence';
import { ApplyingHealth, applyingReadinessCheck, Readiness, ServiceShellModule, TokenBuckets } from '@earnings/service-shell';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { parseApiKeys } from './auth/api-key';
import { ApiKeyRepository } from './auth/api-key.repository';
import { Authenticator } from './auth/authenticator';
import { EarningsRepository } from './earnings/earnings.repository';
import { EarningsResolver } from './earnings/earnings.resolver';
import { EarningsService } from './earnings/earnings.service';
import { StatementRepository } from './earnings/statement.repository';
import { StatementResolver } from './earnings/statement.resolver';
import { StatementService } from './earnings/statement.service';
import { MerchantRepository } from './merchants/merchant.repository';
import { TrackingCodeRepository } from './merchants/tracking-code.repository';
import { CommissionVersionFieldsResolver, TransactionFieldsResolver, WithheldReasonFieldsResolver } from './merchants/transaction-fields.resolver';
import { PayoutPolicyRepository } from './earnings/payout-policy.repository';
import { graphQLOptions } from './graphql/graphql-options';
import { BalanceChangesConsumer, NoticePublisher } from './live/balance-changes.consumer';
import { QueryConfig } from './query.config';

/** The live feed has no partition work that can fail for long; a crash or stop is what readiness reports. */
const consumerFailingMsMax = 30_000;

@Module({})
export class QueryModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaClient,
    private readonly readiness: Readiness,
    private readonly config: QueryConfig,
    private readonly apiKeys: ApiKeyRepository,
    private readonly liveFeed: BalanceChangesConsumer,
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly liveFeedHealth: ApplyingHealth,
  ) {}

  static register(config: QueryConfig, logger: Logger): DynamicModule {
    const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-query' });
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-query' }, logger);
    const repository = new EarningsRepository(dataSource);
    const apiKeys = new ApiKeyRepository(dataSource);
    const authenticator = new Authenticator(config, apiKeys, new TokenBuckets(config.QUERY_RATE_LIMIT_PER_MINUTE));
    const liveFeedHealth = new ApplyingHealth(consumerFailingMsMax);
    return {
      module: QueryModule,
      imports: [
        ServiceShellModule,
        GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, ...graphQLOptions({ config, authenticator, repository, merchants: new MerchantRepository(dataSource), trackingCodes: new TrackingCodeRepository(dataSource), logger }) }),
      ],
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: KafkaClient, useValue: kafka },
        { provide: QueryConfig, useValue: config },
        { provide: ApiKeyRepository, useValue: apiKeys },
        { provide: EarningsService, useValue: new EarningsService(repository, config.QUERY_PAGE_SIZE_MAX, new PayoutPolicyRepository(dataSource)) },
        { provide: StatementService, useValue: new StatementService(new StatementRepository(dataSource), config.QUERY_PAGE_SIZE_MAX) },
        { provide: ApplyingHealth, useValue: liveFeedHealth },
        { provide: BalanceChangesConsumer, useValue: new BalanceChangesConsumer(kafka, logger, liveFeedHealth) },
        EarningsResolver,
        StatementResolver,
        TransactionFieldsResolver,
        CommissionVersionFieldsResolver,
        WithheldReasonFieldsResolver,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    // Keys are stored before the port opens, so the first request can already use them.
    await this.apiKeys.bootstrap(parseApiKeys(this.config.QUERY_API_KEYS));
    const fastify = this.httpAdapterHost.httpAdapter.getInstance<FastifyInstance & { graphql: { pubsub: NoticePublisher } }>();
    await this.liveFeed.start(fastify.graphql.pubsub);
    this.readiness.register(postgresReadinessCheck(this.dataSource));
    this.readiness.register(kafkaReadinessCheck(this.kafka));
    this.readiness.register(applyingReadinessCheck(this.liveFeedHealth));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.liveFeed.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
