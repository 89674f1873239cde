import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLError, NoSchemaIntrospectionCustomRule, ValidationContext, ValidationRule } from 'graphql';
import { join } from 'node:path';
import { httpErrorBody, httpErrorOf, isFastifyClientError } from '@earnings/service-shell';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator';
import type { Caller } from '../auth/caller';
import type { EarningsRepository } from '../earnings/earnings.repository';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { TrackingCodeRepository } from '../merchants/tracking-code.repository';
import { formatQueryErrors } from '../errors/query-error';
import { QueryConfig } from '../query.config';
import { createEarningsLoader, createMerchantLoader, createTrackingCodeLoader } from './query-context';
import { DateTimeScalar, DecimalScalar } from './scalars';

/** Where the checked-in SDL lives; the served schema is built from it and tested against it. */
export const schemaFile = join(__dirname, 'schema.graphql');

export interface GraphQLOptionsInput {
  config: QueryConfig;
  authenticator: Authenticator;
  repository: EarningsRepository;
  merchants: MerchantRepository;
  trackingCodes: TrackingCodeRepository;
  logger: Logger;
}

/** Depth and cost limits (graphql-armor) and, when configured off, no introspection: all checked before execution. */
export function validationRulesOf(config: QueryConfig): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: config.QUERY_DEPTH_MAX, ignoreIntrospection: true, propagateOnRejection: false, onReject: [reportRejection] }) as unknown as ValidationRule,
    costLimitRule({ maxCost: config.QUERY_COST_MAX, ignoreIntrospection: true, propagateOnRejection: false, onReject: [reportRejection] }) as unknown as ValidationRule,
  ];
  if (!config.QUERY_INTROSPECTION) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/**
 * graphql-armor throws its rejection by default, which skips the other rules and reaches the
 * formatter as a bare error; reported instead, it is a validation error like any other. Its
 * "Syntax Error: " prefix is dropped: the query is well-formed, just too big.
 */
function reportRejection(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
}

/** Reads `Authorization` from a graphql-ws connectionInit payload: `{ authorization }` or `{ headers: { authorization } }`. */
export function authorizationOfConnectionInit(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const fields = payload as { authorization?: unknown; Authorization?: unknown; headers?: { authorization?: unknown; Authorization?: unknown } };
  const value = fields.authorization ?? fields.Authorization ?? fields.headers?.authorization ?? fields.headers?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Mercurius' options. Authentication happens here, once per request (HTTP) or per connection
 * (graphql-ws connectionInit); the access check itself is in the service, so every query and the
 * subscription apply the same rule. Errors are formatted in one place (formatQueryErrors).
 */
export function graphQLOptions(input: GraphQLOptionsInput): MercuriusDriverConfig {
  const { config, authenticator, repository, merchants, trackingCodes, logger } = input;
  const loaders = () => ({ earningsLoader: createEarningsLoader(repository), merchantLoader: createMerchantLoader(merchants), trackingCodeLoader: createTrackingCodeLoader(trackingCodes) });
  return {
    typePaths: [schemaFile],
    resolvers: { Decimal: DecimalScalar, DateTime: DateTimeScalar },
    path: '/graphql',
    graphiql: config.GRAPHIQL,
    // graphql-jit compiles a query after it has been seen this many times.
    jit: 1,
    validationRules: validationRulesOf(config),
    // request.ip honours TRUSTED_PROXY: failed authentications are throttled per client address.
    context: async (request: { headers: Record<string, string | string[] | undefined>; ip: string }) => ({
      caller: await authenticator.authenticate(singleHeader(request.headers.authorization), request.ip),
      ...loaders(),
    }),
    subscription: {
      // The connection's address (TRUSTED_PROXY honoured) for the failed-authentication throttle: refused while it is throttled.
      context: (_connection: unknown, request: { ip: string }) => {
        authenticator.assertAddressNotThrottled(request.ip);
        return { clientAddress: request.ip };
      },
      onConnect: async (data: { payload: unknown }) => ({
        caller: await authenticator.authenticate(authorizationOfConnectionInit(data.payload)),
        ...loaders(),
      }),
      onDisconnect: (context: { clientAddress?: string; caller?: Caller }) => authenticator.connectionClosed(context.clientAddress, context.caller),
      keepAlive: 30_000,
    },
    errorFormatter: (execution: { data?: unknown; errors: readonly GraphQLError[] }) => formatQueryErrors(execution, logger),
    errorHandler: (error: Error, _request: unknown, reply: ErrorReply) => answerRequestError(error, reply, logger),
  } as MercuriusDriverConfig;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

interface ErrorReply {
  code(statusCode: number): { send(body: unknown): unknown };
}

/**
 * Errors before or around execution. Fastify's own (malformed JSON, unsupported media type,
 * body too large) are HTTP errors in the shape every service answers them with: mercurius'
 * default handler made them INTERNAL_SERVER_ERROR 500. Anything else is formatted as GraphQL,
 * as mercurius' default handler does.
 */
function answerRequestError(error: Error & { extensions?: Record<string, unknown> }, reply: ErrorReply, logger: Logger): unknown {
  if (isFastifyClientError(error)) {
    const { status, code, message } = httpErrorOf(error);
    return reply.code(status).send(httpErrorBody(code, message));
  }
  const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error, extensions: error.extensions });
  const { statusCode, response } = formatQueryErrors({ errors: [graphQLError] }, logger);
  return reply.code(statusCode).send(response);
}
