import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { buildSchema, GraphQLObjectType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import type { Authenticator } from '../../auth/authenticator';
import type { EarningsRepository } from '../../earnings/earnings.repository';
import { EarningsResolver } from '../../earnings/earnings.resolver';
import { EarningsService } from '../../earnings/earnings.service';
import { StatementResolver } from '../../earnings/statement.resolver';
import { StatementService } from '../../earnings/statement.service';
import type { MerchantRepository } from '../../merchants/merchant.repository';
import type { TrackingCodeRepository } from '../../merchants/tracking-code.repository';
import { CommissionVersionFieldsResolver, TransactionFieldsResolver, WithheldReasonFieldsResolver } from '../../merchants/transaction-fields.resolver';
import { QueryConfig } from '../../query.config';
import { graphQLOptions, schemaFile } from '../graphql-options';

// mercurius loads @fastify/static (for GraphiQL), whose ESM-only dependency Jest cannot require;
// this test never serves files, so a stand-in plugin is enough.
jest.mock('@fastify/static', () => Object.assign(async () => undefined, { default: async () => undefined }));

// The served schema is built exactly as the service builds it (same options, same resolvers),
// with the I/O behind them stubbed: nothing here runs a query.
@Module({
  imports: [
    GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      ...graphQLOptions({ config: new QueryConfig(), authenticator: {} as Authenticator, repository: {} as EarningsRepository, merchants: {} as MerchantRepository, trackingCodes: {} as TrackingCodeRepository, logger: pino({ enabled: false }) }),
      // mercurius' query cache is loaded by dynamic import, which Jest's CommonJS runtime refuses; it does not shape the schema.
      cache: false,
    } as MercuriusDriverConfig),
  ],
  providers: [{ provide: EarningsService, useValue: {} }, { provide: StatementService, useValue: {} }, EarningsResolver, StatementResolver, TransactionFieldsResolver, CommissionVersionFieldsResolver, WithheldReasonFieldsResolver],
})
class ServedSchemaModule {}

const sortedSdl = (schema: GraphQLSchema): string => printSchema(lexicographicSortSchema(schema));

describe('the served GraphQL schema', () => {
  let served: GraphQLSchema;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = await NestFactory.create(ServedSchemaModule, new FastifyAdapter(), { logger: false });
    await app.init();
    served = app.get(GraphQLSchemaHost).schema;
    close = () => app.close();
  });

  afterAll(async () => close?.());

  it('is the checked-in SDL (apps/query/src/graphql/schema.graphql), nothing more or less', () => {
    expect(sortedSdl(served)).toBe(sortedSdl(buildSchema(readFileSync(schemaFile, 'utf8'))));
  });

  it('has a resolver behind every query and subscription field of the SDL', () => {
    const queries = Object.values(served.getQueryType()?.getFields() ?? {});
    const subscriptions = Object.values(served.getSubscriptionType()?.getFields() ?? {});
    expect(queries.map((field) => field.name).sort()).toEqual(['commissionHistory', 'earnings', 'earningsHistory', 'payoutSchedule', 'payouts', 'statement', 'transactions']);
    expect(queries.filter((field) => field.resolve === undefined).map((field) => field.name)).toEqual([]);
    expect(subscriptions.map((field) => [field.name, typeof field.subscribe])).toEqual([['earningsUpdated', 'function']]);
  });

  it('says on PayoutSchedule whether the next run\'s payout waits for the programme\'s review', () => {
    const review = (served.getType('PayoutSchedule') as GraphQLObjectType).getFields().review;
    expect([String(review.type), review.description]).toEqual(['Boolean!', "Whether the next run's payout waits for the programme's review before it leaves; false when no payout is reached."]);
  });

  it('resolves the fields read from ingest\'s views: the merchant and the tracking code as sent', () => {
    const transaction = served.getType('Transaction') as GraphQLObjectType;
    const version = served.getType('CommissionVersion') as GraphQLObjectType;
    expect([transaction.getFields().merchant.resolve, transaction.getFields().trackingCodeAsSent.resolve, version.getFields().trackingCodeAsSent.resolve].map((resolve) => typeof resolve))
      .toEqual(['function', 'function', 'function']);
  });
});
