export type GateVerdict = { accepted: true } | { accepted: false; retryAfterMs: number };

/**
 * Wildfire's rate limit: a call closer than `intervalMsMin` to the previous accepted call is
 * refused. A refused call does not count, so a client that waits out the interval gets through.
 */
export class IntervalGate {
  private lastAcceptedMs: number | null = null;

  constructor(private readonly intervalMsMin: number) {}

  tryPass(nowMs: number): GateVerdict {
    if (this.lastAcceptedMs !== null) {
      const elapsedMs = nowMs - this.lastAcceptedMs;
      if (elapsedMs < this.intervalMsMin) return { accepted: false, retryAfterMs: this.intervalMsMin - elapsedMs };
    }
    this.lastAcceptedMs = nowMs;
    return { accepted: true };
  }
}
