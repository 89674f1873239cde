/**
 * Failed authentications per client address, as a token bucket: `failuresPerMinuteMax` failures
 * at once, refilled at that many per minute. An address that has used them up is refused (429)
 * before its credentials are looked at, so a flood of wrong keys costs no SQL and no hashing;
 * other addresses, and this one once its bucket refills, are unaffected. Per process: N replicas
 * allow N times the rate.
 */
export class FailedAuthenticationThrottle {
  /** Addresses tracked at most; past it the longest-untouched is forgotten (a fresh, full bucket). */
  static readonly addressCountMax = 100_000;
  private readonly buckets = new Map<string, { tokens: number; refilledAtMs: number }>();

  constructor(private readonly failuresPerMinuteMax: number, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(failuresPerMinuteMax) || failuresPerMinuteMax < 1) throw new RangeError('failuresPerMinuteMax must be a positive integer');
  }

  /** True while `address` has no failures left: answer 429 without checking what it sent. */
  isBlocked(address: string): boolean {
    const bucket = this.refilled(address);
    return bucket !== null && bucket.tokens < 1;
  }

  /** Seconds until `address` may try again (at least 1 when blocked). */
  retryAfterSeconds(address: string): number {
    const bucket = this.refilled(address);
    if (bucket === null || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.failuresPerMinuteMax));
  }

  recordFailure(address: string): void {
    const bucket = this.refilled(address) ?? { tokens: this.failuresPerMinuteMax, refilledAtMs: this.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-inserted so the Map's order is least recently failed first: that one is evicted at the bound.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    if (this.buckets.size > FailedAuthenticationThrottle.addressCountMax) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  /** The bucket of `address` topped up to now; null when it is full again (and so forgotten). */
  private refilled(address: string): { tokens: number; refilledAtMs: number } | null {
    const bucket = this.buckets.get(address);
    if (bucket === undefined) return null;
    const now = this.now();
    bucket.tokens = Math.min(this.failuresPerMinuteMax, bucket.tokens + ((now - bucket.refilledAtMs) / 60_000) * this.failuresPerMinuteMax);
    bucket.refilledAtMs = now;
    if (bucket.tokens >= this.failuresPerMinuteMax) {
      this.buckets.delete(address);
      return null;
    }
    return bucket;
  }
}
