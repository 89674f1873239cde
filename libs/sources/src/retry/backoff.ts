export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a random wait in [0, min(max, base * 2^attempt)], so retrying clients spread out instead of
 * hammering a recovering partner in lockstep. `random01` is passed in to keep this testable.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random01: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random01 * ceiling);
}
