import { buildSchema, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { commissionHistoryQuery, earningsUpdatedSubscription, statementQuery, summaryQuery, transactionsQuery, waitingQuery } from '../../apps/dashboard/src/graphql/queries';
import { schemaFile, validationRulesOf } from '../../apps/query/src/graphql/graphql-options';
import { QueryConfig } from '../../apps/query/src/query.config';

// The dashboard's requests against the query service's checked-in schema and its default limits
// (depth and cost): a field renamed or a request grown too costly fails here, not in a user's browser.
jest.mock('@fastify/static', () => ({}));

describe("the dashboard's GraphQL requests", () => {
  const schema = buildSchema(readFileSync(schemaFile, 'utf8'));
  const requests = { summaryQuery, waitingQuery, transactionsQuery, commissionHistoryQuery, statementQuery, earningsUpdatedSubscription };

  it.each(Object.entries(requests))('%s is valid against the schema and within the default depth and cost limits', (_name, request) => {
    expect(validate(schema, parse(request), validationRulesOf(new QueryConfig())).map((error) => error.message)).toEqual([]);
  });
});
