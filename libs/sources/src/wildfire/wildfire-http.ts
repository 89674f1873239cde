import { parseExactJson } from '@earnings/domain';
import { wfav1Headers, Wfav1Credentials } from './wfav1';

export const WildfireApiErrorCodes = ['timeout', 'network', 'rate-limited', 'server-error', 'unauthorized', 'rejected', 'unexpected-payload'] as const;
export type WildfireApiErrorCode = (typeof WildfireApiErrorCodes)[number];

/** A failed request. `retryable` says whether backing off and trying again can help. */
export class WildfireApiError extends Error {
  constructor(readonly code: WildfireApiErrorCode, message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
  }
}

export interface WildfireRequestOptions {
  credentials: Wfav1Credentials;
  requestTimeoutMs: number;
}

/** One signed page of a Wildfire API: its records, the cursor to the next page, and the body as received (for the raw topic). */
export interface WildfirePage {
  /** Records as parsed by parseExactJson (numbers keep their text). */
  records: unknown[];
  nextCursor: string | null;
  body: string;
  url: string;
}

/**
 * One WFAV1-signed GET of a Wildfire API (the Commission API, the merchant API). Pacing (one
 * request per 5 s) and retries belong to the caller, which knows about restarts and time budgets.
 */
export async function getWildfirePage(url: string, recordsMember: string, options: WildfireRequestOptions, now: Date): Promise<WildfirePage> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { ...wfav1Headers({ ...options.credentials, now }), accept: 'application/json' },
      signal: AbortSignal.timeout(options.requestTimeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
    throw timedOut
      ? new WildfireApiError('timeout', `no answer within ${options.requestTimeoutMs} ms`, true)
      : new WildfireApiError('network', `request failed: ${(error as Error).message}`, true);
  }
  const body = await response.text();
  if (!response.ok) throw errorForStatus(response.status);
  return { ...parsePage(body, recordsMember), body, url };
}

function errorForStatus(status: number): WildfireApiError {
  if (status === 429) return new WildfireApiError('rate-limited', 'Wildfire answered 429: requests closer than its minimum interval', true, status);
  if (status >= 500) return new WildfireApiError('server-error', `Wildfire answered ${status}`, true, status);
  if (status === 401 || status === 403) return new WildfireApiError('unauthorized', `Wildfire refused the WFAV1 credentials (${status})`, false, status);
  return new WildfireApiError('rejected', `Wildfire rejected the request (${status})`, false, status);
}

/**
 * Checks the payload's shape: a malformed page during maintenance is retried, never half-used.
 * `{"<Records>": [...], "NextCursor": "..."}`; a bare array is a last page (Wildfire's lookups by id).
 */
function parsePage(body: string, recordsMember: string): { records: unknown[]; nextCursor: string | null } {
  let parsed: unknown;
  try {
    parsed = parseExactJson(body);
  } catch {
    throw new WildfireApiError('unexpected-payload', 'the page is not valid JSON', true);
  }
  if (Array.isArray(parsed)) return { records: parsed, nextCursor: null };
  if (typeof parsed !== 'object' || parsed === null) throw new WildfireApiError('unexpected-payload', 'the page is not a JSON object', true);
  const page = parsed as Record<string, unknown>;
  const records = memberOf(page, recordsMember.toLowerCase());
  if (!Array.isArray(records)) throw new WildfireApiError('unexpected-payload', `the page has no ${recordsMember} array`, true);
  const cursor = memberOf(page, 'nextcursor');
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') throw new WildfireApiError('unexpected-payload', 'NextCursor is not a string', true);
  return { records, nextCursor: typeof cursor === 'string' && cursor.length > 0 ? cursor : null };
}

/** Wildfire's member names vary in case between versions. */
function memberOf(object: Record<string, unknown>, lowerCaseName: string): unknown {
  const name = Object.keys(object).find((key) => key.toLowerCase() === lowerCaseName);
  return name === undefined ? undefined : object[name];
}
