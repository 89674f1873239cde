import { GraphQLError } from 'graphql';
import { formatQueryErrors, QueryError } from '../query-error';

const silentLog = { error: jest.fn() };
const fromResolver = (error: Error) => new GraphQLError(error.message, { originalError: error, path: ['earnings'] });

describe('formatQueryErrors', () => {
  it.each([
    [new QueryError('UNAUTHENTICATED', 'who are you'), 401],
    [new QueryError('FORBIDDEN', 'not yours'), 403],
    [new QueryError('BAD_USER_INPUT', 'bad first'), 400],
    [new QueryError('RATE_LIMITED', 'slow down'), 429],
  ])('keeps the code of %s and answers its status when there is no data', (error, status) => {
    const formatted = formatQueryErrors({ data: null, errors: [fromResolver(error)] }, silentLog);
    expect(formatted.statusCode).toBe(status);
    expect(formatted.response.errors).toEqual([{ message: error.message, path: ['earnings'], extensions: { code: error.code } }]);
  });

  it('answers 200 with partial data', () => {
    expect(formatQueryErrors({ data: { a: 1 }, errors: [fromResolver(new QueryError('FORBIDDEN', 'no'))] }, silentLog).statusCode).toBe(200);
  });

  it('expands a failed validation into one GRAPHQL_VALIDATION_FAILED error per rule violation', () => {
    const validation = Object.assign(new Error('Graphql validation error'), { errors: [new GraphQLError('Query depth limit of 3 exceeded, found 4.'), new GraphQLError('Cannot query field "x"')] });
    const formatted = formatQueryErrors({ errors: [new GraphQLError(validation.message, { originalError: validation })] }, silentLog);
    expect(formatted.statusCode).toBe(400);
    expect(formatted.response.errors.map((error) => [error.message, error.extensions.code])).toEqual([
      ['Query depth limit of 3 exceeded, found 4.', 'GRAPHQL_VALIDATION_FAILED'],
      ['Cannot query field "x"', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
  });

  it('hides an unexpected error behind INTERNAL_SERVER_ERROR and logs it', () => {
    const log = { error: jest.fn() };
    const formatted = formatQueryErrors({ data: null, errors: [fromResolver(new Error('connection to postgres://user:secret@db failed'))] }, log);
    expect(formatted.statusCode).toBe(500);
    expect(formatted.response.errors).toEqual([{ message: 'internal error', path: ['earnings'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(log.error).toHaveBeenCalledTimes(1);
  });
});
