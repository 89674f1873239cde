import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { identifierProblem } from '@earnings/domain';
import type { FastifyRequest } from 'fastify';
import { PayoutApiException } from '../errors/payout-api.exception';

/** Who a decision is recorded for when the request names nobody: the holder of the admin token. */
export const tokenHolder = 'admin-token';

/**
 * Who made a decision (a review, lifting a hold, clearing a flag): the `X-Admin-Actor` header the
 * partner's back office sends with the admin token (its operator's name or id), held to the
 * identifier rule; without it, the token's holder.
 */
export function adminActorOf(value: unknown): string {
  if (value === undefined || value === '') return tokenHolder;
  if (typeof value !== 'string') throw new PayoutApiException('invalid-request', 'X-Admin-Actor must be given once');
  const problem = identifierProblem(value, 'id');
  if (problem !== null) throw new PayoutApiException('invalid-request', `X-Admin-Actor ${problem}`);
  return value;
}

export const AdminActor = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  adminActorOf(context.switchToHttp().getRequest<FastifyRequest>().headers['x-admin-actor']));
