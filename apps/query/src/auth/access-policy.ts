import { QueryError } from '../errors/query-error';
import { Caller, earningsReadScope } from './caller';

/**
 * The one authorisation rule of the API: a partner key with earnings:read reads any AUI; an end
 * user reads only the AUI that is their token's `sub`. Throws the QueryError the caller gets.
 */
export function assertCanReadEarnings(caller: Caller | undefined, aui: string): void {
  if (caller?.kind === 'anonymous' && caller.reason === 'too-many-failures') {
    throw new QueryError('RATE_LIMITED', 'too many failed authentications from this address; retry in a minute');
  }
  if (caller === undefined || caller.kind === 'anonymous') {
    const reason = caller?.reason === 'invalid-credentials' ? 'the credentials are invalid or expired' : 'no credentials were sent';
    throw new QueryError('UNAUTHENTICATED', `authentication required: ${reason}; send Authorization: Bearer <API key or user token>`);
  }
  if (caller.rateLimited) throw new QueryError('RATE_LIMITED', 'too many requests for this credential; retry in a few seconds');
  switch (caller.kind) {
    case 'partner':
      if (!caller.scopes.includes(earningsReadScope)) throw new QueryError('FORBIDDEN', `this API key lacks the ${earningsReadScope} scope`);
      return;
    case 'user':
      if (caller.subject !== aui) throw new QueryError('FORBIDDEN', 'a user token reads only its own AUI');
      return;
    default: {
      const unreachable: never = caller;
      throw new Error(`unknown caller ${JSON.stringify(unreachable)}`);
    }
  }
}
