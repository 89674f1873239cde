import { parseExactJson } from '@earnings/domain';
import { wfav1Headers, Wfav1Credentials } from './wfav1';

export type WildfireApiVersion = 'v2' | 'v3' | 'v4';

export interface WildfireCommissionApiConfig {
  /** e.g. https://api.wfi.re (no trailing slash). */
  baseUrl: string;
  apiVersion: WildfireApiVersion;
  credentials: Wfav1Credentials;
  requestTimeoutMs: number;
  /** Records per page; Wildfire allows up to 2000. */
  pageLimit: number;
}

export const WildfireApiErrorCodes = ['timeout', 'network', 'rate-limited', 'server-error', 'unauthorized', 'rejected', 'unexpected-payload'] as const;
export type WildfireApiErrorCode = (typeof WildfireApiErrorCodes)[number];

/** A failed request. `retryable` says whether backing off and trying again can help. */
export class WildfireApiError extends Error {
  constructor(readonly code: WildfireApiErrorCode, message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
  }
}

export interface CommissionPageQuery {
  startModifiedDate: string;
  endModifiedDate: string;
  cursor: string | null;
}

export interface CommissionPage {
  /** Records as parsed by parseExactJson (numbers keep their text), for normaliseWildfireCommission. */
  records: unknown[];
  nextCursor: string | null;
  /** The response body as received, for the raw-inbound copy. */
  body: string;
  url: string;
}

/**
 * One request of the Wildfire Commission API: `GET /v{N}/commission`, sorted by modified date
 * ascending, WFAV1-signed. Pacing (one request per 5 s) and retries belong to the caller, which
 * knows about restarts and the time budget.
 */
export class WildfireCommissionApiClient {
  constructor(private readonly config: WildfireCommissionApiConfig) {}

  async fetchPage(query: CommissionPageQuery, now: Date): Promise<CommissionPage> {
    const url = this.pageUrl(query);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { ...wfav1Headers({ ...this.config.credentials, now }), accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      throw timedOut
        ? new WildfireApiError('timeout', `no answer within ${this.config.requestTimeoutMs} ms`, true)
        : new WildfireApiError('network', `request failed: ${(error as Error).message}`, true);
    }
    const body = await response.text();
    if (!response.ok) throw errorForStatus(response.status);
    return { ...parsePage(body), body, url };
  }

  private pageUrl(query: CommissionPageQuery): string {
    const parameters = new URLSearchParams({
      start_modified_date: query.startModifiedDate,
      end_modified_date: query.endModifiedDate,
      sort_by: 'modified_date',
      sort_order: 'asc',
      limit: String(this.config.pageLimit),
    });
    if (query.cursor) parameters.set('cursor', query.cursor);
    return `${this.config.baseUrl}/${this.config.apiVersion}/commission?${parameters}`;
  }
}

function errorForStatus(status: number): WildfireApiError {
  if (status === 429) return new WildfireApiError('rate-limited', 'Wildfire answered 429: requests closer than its minimum interval', true, status);
  if (status >= 500) return new WildfireApiError('server-error', `Wildfire answered ${status}`, true, status);
  if (status === 401 || status === 403) return new WildfireApiError('unauthorized', `Wildfire refused the WFAV1 credentials (${status})`, false, status);
  return new WildfireApiError('rejected', `Wildfire rejected the request (${status})`, false, status);
}

/** Checks the payload's shape: a malformed page during maintenance is retried, never half-used. */
function parsePage(body: string): { records: unknown[]; nextCursor: string | null } {
  let parsed: unknown;
  try {
    parsed = parseExactJson(body);
  } catch {
    throw new WildfireApiError('unexpected-payload', 'the commission page is not valid JSON', true);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WildfireApiError('unexpected-payload', 'the commission page is not a JSON object', true);
  }
  const page = parsed as Record<string, unknown>;
  const commissions = memberOf(page, 'commissions');
  if (!Array.isArray(commissions)) throw new WildfireApiError('unexpected-payload', 'the commission page has no Commissions array', true);
  const cursor = memberOf(page, 'nextcursor');
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') {
    throw new WildfireApiError('unexpected-payload', 'NextCursor is not a string', true);
  }
  return { records: commissions, nextCursor: typeof cursor === 'string' && cursor.length > 0 ? cursor : null };
}

/** Wildfire's member names vary in case between versions. */
function memberOf(object: Record<string, unknown>, lowerCaseName: string): unknown {
  const name = Object.keys(object).find((key) => key.toLowerCase() === lowerCaseName);
  return name === undefined ? undefined : object[name];
}
