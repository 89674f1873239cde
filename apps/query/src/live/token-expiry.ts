import { Caller } from '../auth/caller';

/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const timerDelayMaxMs = 2_147_483_647;

/**
 * Calls `end` when the caller's user token expires: a subscription must not outlive the token
 * it was opened with. Partner keys and tokens without `exp` never end this way. The client sees
 * the subscription complete and reconnects with a fresh token.
 */
export function endAtTokenExpiry(caller: Caller | undefined, end: () => void, now: () => number = Date.now): void {
  if (caller?.kind !== 'user' || caller.expiresAtMs === null) return;
  const expiresAtMs = caller.expiresAtMs;
  const wait = () => {
    const remainingMs = expiresAtMs - now();
    if (remainingMs <= 0) return end();
    setTimeout(wait, Math.min(remainingMs, timerDelayMaxMs)).unref();
  };
  wait();
}
