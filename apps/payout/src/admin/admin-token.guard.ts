import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PayoutApiException } from '../errors/payout-api.exception';

export const ADMIN_TOKEN = 'PAYOUT_ADMIN_TOKEN';

/** The partner's backend authenticates with `Authorization: Bearer <PAYOUT_ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expectedDigest: Buffer | null;

  constructor(@Inject(ADMIN_TOKEN) token: string) {
    // Compared as digests so the comparison takes the same time whatever the length of the guess.
    this.expectedDigest = token.length === 0 ? null : createHash('sha256').update(token).digest();
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expectedDigest === null) throw new PayoutApiException('admin-api-disabled', 'the admin API is disabled: PAYOUT_ADMIN_TOKEN is not set');
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || !timingSafeEqual(createHash('sha256').update(match[1]).digest(), this.expectedDigest)) {
      throw new PayoutApiException('unauthenticated', 'a valid admin bearer token is required');
    }
    return true;
  }
}
