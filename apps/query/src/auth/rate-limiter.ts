/**
 * A token bucket per credential: `capacity` requests at once, refilled at capacity per minute.
 * Buckets live in this process only, so N replicas allow N times the rate; a shared limiter
 * (Redis) is the next step if that matters.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();
  private static readonly bucketCountMax = 100_000;

  constructor(private readonly capacity: number, private readonly now: () => number = Date.now) {}

  /** Takes one token for `credential`; false when its bucket is empty. */
  tryTake(credential: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(credential) ?? { tokens: this.capacity, refilledAt: now };
    const refill = ((now - bucket.refilledAt) / 60_000) * this.capacity;
    bucket.tokens = Math.min(this.capacity, bucket.tokens + refill);
    bucket.refilledAt = now;
    // Bounded memory: a flood of distinct credentials (only valid ones get here) resets all buckets.
    if (!this.buckets.has(credential) && this.buckets.size >= RateLimiter.bucketCountMax) this.buckets.clear();
    this.buckets.set(credential, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
