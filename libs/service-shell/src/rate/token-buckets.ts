interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

/**
 * The one rate limiter: a token bucket per key (a credential, a client address), `perMinute`
 * tokens at once, refilled at `perMinute` per minute. Per process: N replicas allow N times the
 * rate. Memory is bounded: a full bucket is forgotten (a key never seen has one), and past
 * `keysMax` keys the one untouched longest is forgotten.
 */
export class TokenBuckets {
  static readonly keysMaxDefault = 100_000;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly keysMax = TokenBuckets.keysMaxDefault,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('perMinute must be a positive integer');
  }

  /** Takes a token for `key`; false, taking nothing, when its bucket is empty. */
  tryTake(key: string): boolean {
    if (this.isEmpty(key)) return false;
    this.take(key);
    return true;
  }

  /** Takes a token for `key` whatever is left (never below none): for counting what already happened, like a failure. */
  take(key: string): void {
    const bucket = this.refilled(key) ?? { tokens: this.perMinute, refilledAtMs: this.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-inserted so the Map's order is least recently touched first: that one goes at the bound.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.keysMax) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  /** True while `key` has no whole token left. */
  isEmpty(key: string): boolean {
    const bucket = this.refilled(key);
    return bucket !== null && bucket.tokens < 1;
  }

  /** Seconds until `key` has a token again: 0 when it has one, else at least 1 (a Retry-After). */
  secondsUntilToken(key: string): number {
    const bucket = this.refilled(key);
    if (bucket === null || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }

  /** The bucket of `key` topped up to now; null when it is full again (and so forgotten). */
  private refilled(key: string): Bucket | null {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return null;
    const now = this.now();
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.refilledAtMs) / 60_000) * this.perMinute);
    bucket.refilledAtMs = now;
    if (bucket.tokens >= this.perMinute) {
      this.buckets.delete(key);
      return null;
    }
    return bucket;
  }
}
