import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ServiceConfig, TokenBuckets } from '@earnings/service-shell';
import type { FastifyRequest } from 'fastify';
import { PayoutApiException } from '../errors/payout-api.exception';

export const ADMIN_TOKEN = 'PAYOUT_ADMIN_TOKEN';
/** The token payout.module provides the service's configuration under. */
const PAYOUT_CONFIG = 'PAYOUT_CONFIG';

/**
 * The partner's backend authenticates with `Authorization: Bearer <PAYOUT_ADMIN_TOKEN>`. A client
 * address that keeps sending wrong tokens is refused with 429 before its token is compared
 * (request.ip: the connection's address, or the forwarded one behind a TRUSTED_PROXY).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expectedDigest: Buffer | null;
  private readonly throttle: TokenBuckets;

  constructor(@Inject(ADMIN_TOKEN) token: string, @Inject(PAYOUT_CONFIG) config: ServiceConfig) {
    // Compared as digests so the comparison takes the same time whatever the length of the guess.
    this.expectedDigest = token.length === 0 ? null : createHash('sha256').update(token).digest();
    this.throttle = new TokenBuckets(config.AUTH_FAILURES_PER_MINUTE_MAX);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expectedDigest === null) throw new PayoutApiException('admin-api-disabled', 'the admin API is disabled: PAYOUT_ADMIN_TOKEN is not set');
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.throttle.isEmpty(request.ip)) {
      throw new PayoutApiException('too-many-requests', `too many failed authentications from this address; retry in ${this.throttle.secondsUntilToken(request.ip)} s`);
    }
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(createHash('sha256').update(match[1]).digest(), this.expectedDigest)) {
      this.throttle.take(request.ip);
      throw new PayoutApiException('unauthenticated', 'a valid admin bearer token is required');
    }
    return true;
  }
}
