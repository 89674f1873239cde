/**
 * How long to wait before retrying: `firstMs` before the first retry, doubling, never more than
 * `maxMs`. With `jitter`, a random wait in [0, that] instead ("full jitter", AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), so clients retrying against a recovering partner spread out
 * instead of arriving in lockstep.
 */
export interface Backoff {
  firstMs: number;
  maxMs: number;
  jitter?: boolean;
}

/**
 * The one backoff formula: the wait before retry number `retry` (1 is the first retry). Every
 * retry and loop in the product waits by it; `random01` is passed in where a test needs it fixed.
 */
export function backoffDelayMs(retry: number, backoff: Backoff, random01: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(retry - 1, 40));
  const ceiling = Math.min(backoff.maxMs, backoff.firstMs * 2 ** exponent);
  return backoff.jitter ? Math.floor(random01() * ceiling) : ceiling;
}
