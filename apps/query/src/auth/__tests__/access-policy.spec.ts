import { QueryError } from '../../errors/query-error';
import { assertCanReadEarnings } from '../access-policy';
import { Caller } from '../caller';

const codeOf = (caller: Caller | undefined, aui: string): string | null => {
  try {
    assertCanReadEarnings(caller, aui);
    return null;
  } catch (error) {
    return (error as QueryError).code;
  }
};

describe('assertCanReadEarnings', () => {
  it.each<[string, Caller | undefined, string, string | null]>([
    ['no context at all', undefined, 'a', 'UNAUTHENTICATED'],
    ['no credentials', { kind: 'anonymous', reason: 'no-credentials' }, 'a', 'UNAUTHENTICATED'],
    ['bad credentials', { kind: 'anonymous', reason: 'invalid-credentials' }, 'a', 'UNAUTHENTICATED'],
    ['a partner key with earnings:read', { kind: 'partner', keyName: 'p', scopes: ['earnings:read'], rateLimited: false }, 'anyone', null],
    ['a partner key without earnings:read', { kind: 'partner', keyName: 'p', scopes: ['payouts:write'], rateLimited: false }, 'anyone', 'FORBIDDEN'],
    ['a rate-limited partner key', { kind: 'partner', keyName: 'p', scopes: ['earnings:read'], rateLimited: true }, 'anyone', 'RATE_LIMITED'],
    ['a user reading themself', { kind: 'user', subject: 'a', expiresAtMs: null, rateLimited: false }, 'a', null],
    ['a user reading someone else', { kind: 'user', subject: 'a', expiresAtMs: null, rateLimited: false }, 'b', 'FORBIDDEN'],
    ['a user reading an AUI that only starts with theirs', { kind: 'user', subject: 'a', expiresAtMs: null, rateLimited: false }, 'ab', 'FORBIDDEN'],
  ])('%s', (_name, caller, aui, expected) => {
    expect(codeOf(caller, aui)).toBe(expected);
  });
});
