import { createHmac } from 'node:crypto';
import { identifierProblem } from '@earnings/domain';

/** A development sign-in lasts as long as a real session should: short, so the expired-session screen is seen. */
export const devTokenLifetimeSeconds = 15 * 60;

export interface MintedToken {
  token: string;
  expiresAt: string;
}

/**
 * An HS256 user token whose `sub` is the AUI, signed with the query service's QUERY_JWT_SECRET:
 * what a partner's backend mints in production (README, "The earnings dashboard"). Returns the
 * problem instead when the AUI is not an acceptable identifier.
 */
export function mintUserToken(secret: string, aui: string, nowMs: number, lifetimeSeconds = devTokenLifetimeSeconds): MintedToken | { problem: string } {
  const problem = identifierProblem(aui, 'aui');
  if (problem) return { problem: `the AUI ${problem}` };
  const issuedAt = Math.floor(nowMs / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: aui, iat: issuedAt, exp: issuedAt + lifetimeSeconds })}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return { token: `${unsigned}.${signature}`, expiresAt: new Date((issuedAt + lifetimeSeconds) * 1000).toISOString() };
}
