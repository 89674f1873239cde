export interface RequestLogEntry {
  /** When the request arrived, ISO-8601 with milliseconds: enough to check a client's pacing. */
  time: string;
  method: string;
  /** Path and query string as received. */
  path: string;
  /** Null when no answer was sent (an injected timeout). */
  status: number | null;
  /** Why this answer: ok, unauthorized, rate-limited, bad-request, fault-timeout, fault-server-error, fault-malformed. */
  outcome: string;
}

/** Old entries are dropped beyond this, so a long benchmark cannot grow the log without bound. */
export const requestLogEntriesMax = 10_000;

/** The partner-facing API calls, in arrival order, for tests and benchmarks to inspect. */
export class RequestLog {
  private readonly log: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > requestLogEntriesMax) this.log.splice(0, this.log.length - requestLogEntriesMax);
  }

  entries(): RequestLogEntry[] {
    return [...this.log];
  }

  clear(): void {
    this.log.length = 0;
  }
}
