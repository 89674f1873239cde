import { GraphQLError } from 'graphql';

/** Operating errors of the query API: what the caller did wrong, each with a code clients can switch on. */
export type QueryErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'RATE_LIMITED';

export class QueryError extends Error {
  /** graphql-js copies an original error's extensions: subscription errors, which skip the formatter, keep the code too. */
  readonly extensions: { code: QueryErrorCode };

  constructor(readonly code: QueryErrorCode, message: string) {
    super(message);
    this.name = 'QueryError';
    this.extensions = { code };
  }
}

/** The HTTP status a request answers with when this error left no data. */
export function httpStatusOf(code: QueryErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'BAD_USER_INPUT':
      return 400;
    case 'RATE_LIMITED':
      return 429;
    default: {
      const unreachable: never = code;
      throw new Error(`unknown query error code ${String(unreachable)}`);
    }
  }
}

interface FormattedError {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: { code: string };
}

interface Execution {
  data?: unknown;
  errors: readonly GraphQLError[];
}

/**
 * The one place errors become GraphQL answers (mercurius' errorFormatter): QueryErrors keep their
 * code and set the HTTP status when there is no data, validation failures (depth, cost,
 * introspection, unknown fields) are GRAPHQL_VALIDATION_FAILED, and anything unexpected is an
 * INTERNAL_SERVER_ERROR whose message never reaches the client (it may carry SQL or secrets).
 */
export function formatQueryErrors(execution: Execution, log: { error(object: unknown, message: string): void }): { statusCode: number; response: { data: unknown; errors: FormattedError[] } } {
  const flattened = execution.errors.flatMap(expandValidationErrors);
  const errors = flattened.map((error) => describe(error, log));
  const firstQueryError = flattened.map((error) => error.originalError).find((error): error is QueryError => error instanceof QueryError);
  const validationFailed = errors.some((error) => error.extensions.code === 'GRAPHQL_VALIDATION_FAILED');
  const noData = execution.data === undefined || execution.data === null;
  const statusCode = !noData ? 200 : firstQueryError ? httpStatusOf(firstQueryError.code) : validationFailed ? 400 : errors.some((error) => error.extensions.code === 'INTERNAL_SERVER_ERROR') ? 500 : 400;
  return { statusCode, response: { data: execution.data ?? null, errors } };
}

/** mercurius reports a failed validation as one error holding the list of rule violations. */
function expandValidationErrors(error: GraphQLError): GraphQLError[] {
  const nested = (error.originalError as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(nested)) return [error];
  return nested.map((inner: GraphQLError) => {
    const graphQLError = inner instanceof GraphQLError ? inner : new GraphQLError(String((inner as Error).message ?? inner));
    return new GraphQLError(graphQLError.message, { nodes: graphQLError.nodes, source: graphQLError.source, positions: graphQLError.positions, path: graphQLError.path, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
}

function describe(error: GraphQLError, log: { error(object: unknown, message: string): void }): FormattedError {
  const base = { locations: error.locations, path: error.path };
  const original = error.originalError;
  if (original instanceof QueryError) return { ...base, message: original.message, extensions: { code: original.code } };
  if (error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') return { ...base, message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  // Errors graphql-js raises itself (bad variables, scalar parsing) have no original error, or a GraphQLError one.
  if (original === undefined || original === null || original instanceof GraphQLError) return { ...base, message: error.message, extensions: { code: 'BAD_USER_INPUT' } };
  log.error({ err: original }, 'query failed');
  return { ...base, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
