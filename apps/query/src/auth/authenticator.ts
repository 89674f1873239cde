import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { TokenBuckets } from '@earnings/service-shell';
import { QueryError } from '../errors/query-error';
import { QueryConfig } from '../query.config';
import { ApiKeyRepository } from './api-key.repository';
import { Caller } from './caller';

/**
 * Turns an Authorization header into a Caller: a JWT (three dot-separated parts) is an end user,
 * anything else is a partner API key. Never throws for bad input: the access check decides
 * what an anonymous caller gets, so every query and the subscription answer the same way.
 */
export class Authenticator {
  private readonly getKey: JWTVerifyGetKey | null;
  /** Failed authentications per client address: one that used them up is refused before its credentials are looked at (no SQL, no hashing). */
  private readonly failures: TokenBuckets;

  constructor(private readonly config: QueryConfig, private readonly apiKeys: ApiKeyRepository, private readonly rateLimiter: TokenBuckets) {
    this.getKey = userTokenKeys(config);
    this.failures = new TokenBuckets(config.AUTH_FAILURES_PER_MINUTE_MAX);
  }

  /**
   * clientAddress (request.ip, which honours TRUSTED_PROXY) is throttled on failures: once it has
   * sent too many wrong credentials, what it sends is not looked up at all (no SQL, no JWT check).
   * Undefined (a subscription's connection_init, which carries no address) is not throttled.
   */
  async authenticate(authorization: string | undefined, clientAddress?: string): Promise<Caller> {
    if (clientAddress !== undefined && authorization && this.failures.isEmpty(clientAddress)) return { kind: 'anonymous', reason: 'too-many-failures' };
    const caller = await this.identify(authorization);
    if (clientAddress !== undefined && caller.kind === 'anonymous' && caller.reason === 'invalid-credentials') this.failures.take(clientAddress);
    return caller;
  }

  /**
   * A subscription connection from an address that sent too many wrong credentials is refused
   * before its connection_init is read (mercurius closes it). Throws the QueryError that says why.
   */
  assertAddressNotThrottled(clientAddress: string): void {
    if (this.failures.isEmpty(clientAddress)) throw new QueryError('RATE_LIMITED', 'too many failed authentications from this address; retry in a minute');
  }

  /**
   * A subscription connection closed. Its connection_init is authenticated without the address
   * (mercurius' onConnect gets only the payload), so wrong credentials count against the address
   * here, once the connection ends.
   */
  connectionClosed(clientAddress: string | undefined, caller: Caller | undefined): void {
    if (clientAddress !== undefined && caller?.kind === 'anonymous' && caller.reason === 'invalid-credentials') this.failures.take(clientAddress);
  }

  private async identify(authorization: string | undefined): Promise<Caller> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return { kind: 'anonymous', reason: authorization ? 'invalid-credentials' : 'no-credentials' };
    if (token.split('.').length === 3) {
      const verified = await this.verifyUserToken(token);
      if (verified === null) return { kind: 'anonymous', reason: 'invalid-credentials' };
      return { kind: 'user', ...verified, rateLimited: !this.rateLimiter.tryTake(`user:${verified.subject}`) };
    }
    const key = await this.apiKeys.findBySecret(token);
    if (key === null) return { kind: 'anonymous', reason: 'invalid-credentials' };
    return { kind: 'partner', keyName: key.name, scopes: key.scopes, rateLimited: !this.rateLimiter.tryTake(`key:${key.name}`) };
  }

  private async verifyUserToken(token: string): Promise<{ subject: string; expiresAtMs: number | null } | null> {
    if (this.getKey === null) return null;
    try {
      const { payload } = await jwtVerify(token, this.getKey, {
        issuer: this.config.QUERY_JWT_ISSUER || undefined,
        audience: this.config.QUERY_JWT_AUDIENCE || undefined,
        requiredClaims: ['sub'],
      });
      const subject = subjectOf(payload);
      return subject === null ? null : { subject, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
    } catch {
      // Expired, wrong signature, wrong issuer: all the same 401 to the caller.
      return null;
    }
  }
}

function subjectOf(payload: JWTPayload): string | null {
  return typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : null;
}

/** HS256 tokens verify with the shared secret, others with the JWKS; "none" and unconfigured kinds are refused. */
function userTokenKeys(config: QueryConfig): JWTVerifyGetKey | null {
  const secret = config.QUERY_JWT_SECRET ? new TextEncoder().encode(config.QUERY_JWT_SECRET) : null;
  const jwks = config.QUERY_JWKS_URL ? createRemoteJWKSet(new URL(config.QUERY_JWKS_URL)) : null;
  if (secret === null && jwks === null) return null;
  return async (header, token) => {
    if (header.alg === 'HS256') {
      if (secret === null) throw new Error('HS256 user tokens are not configured');
      return secret;
    }
    if (jwks === null || header.alg?.startsWith('HS')) throw new Error(`user tokens signed with ${header.alg} are not accepted`);
    return jwks(header, token);
  };
}
