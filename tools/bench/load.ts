import autocannon from 'autocannon';

export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationMs: number;
  /** Requests per second across all connections; absent: as fast as the server answers (closed loop). */
  overallRate?: number;
  /** Cycled through in order; each connection takes the next one for its next request. */
  requests: PreparedRequest[];
  /** When given, a response body for which it returns false counts as a failure. */
  verifyBody?: (body: string) => boolean;
}

export interface LoadFigures {
  /** Successful (2xx, verified) responses per second. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
}

/** One autocannon run (as a library) of POST requests; latency percentiles are corrected for coordinated omission when rate-limited. */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    duration: options.durationMs / 1000,
    overallRate: options.overallRate,
    verifyBody: options.verifyBody ? (body) => options.verifyBody!(String(body ?? '')) : undefined,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const prepared = options.requests[next % options.requests.length];
          next += 1;
          // A copy: autocannon writes content-length into the headers object it is given.
          return { ...request, method: 'POST', body: prepared.body, headers: { ...prepared.headers } };
        },
      },
    ],
  });
  const ok = result['2xx'] - result.mismatches;
  return {
    okPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors + result.timeouts + result.mismatches,
  };
}

/** An unmeasured closed-loop load, so the measured ones see a warm process. */
export async function warmUp(url: string, connections: number, durationMs: number, requests: PreparedRequest[]): Promise<void> {
  await runLoad({ url, connections, durationMs, requests });
}
