import { FirstPromoterApiError, FirstPromoterApiErrorCode, scrubSecret } from './errors';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
}

export interface HttpSettings {
  baseUrl: string;
  apiKey: string;
  accountId: string;
  requestTimeoutMs: number;
}

const SERVER_TEXT_LIMIT = 300;

/** One JSON request to the admin API v2 with its two auth headers; every failure becomes a FirstPromoterApiError. */
export async function requestJson(settings: HttpSettings, request: HttpRequest): Promise<unknown> {
  const label = `FirstPromoter ${request.method} ${request.path}`;
  const response = await send(settings, request, label);
  const text = await readBody(response, settings, label);
  if (!response.ok) throw statusError(response.status, text, settings.apiKey, label);
  try {
    return JSON.parse(text);
  } catch {
    throw new FirstPromoterApiError('bad-response', `${label} answered ${response.status} with a body that is not JSON`, { status: response.status });
  }
}

async function send(settings: HttpSettings, request: HttpRequest, label: string): Promise<Response> {
  const query = request.query && [...request.query.keys()].length > 0 ? `?${request.query.toString()}` : '';
  try {
    return await fetch(`${settings.baseUrl}${request.path}${query}`, {
      method: request.method,
      headers: headersFor(settings, request),
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(settings.requestTimeoutMs),
    });
  } catch (error) {
    throw transportError(error, settings, label);
  }
}

function headersFor(settings: HttpSettings, request: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${settings.apiKey}`,
    'Account-ID': settings.accountId,
    Accept: 'application/json',
  };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  return headers;
}

async function readBody(response: Response, settings: HttpSettings, label: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw transportError(error, settings, label);
  }
}

/** The original error is not attached as `cause`: only its scrubbed message travels. */
function transportError(error: unknown, settings: HttpSettings, label: string): FirstPromoterApiError {
  // Read by shape, not instanceof: the abort reason is a DOMException, from another realm under test runners.
  const name = textField(error, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new FirstPromoterApiError('timeout', `${label} got no answer within ${settings.requestTimeoutMs} ms`);
  }
  return new FirstPromoterApiError('network', scrubSecret(`${label} failed: ${describeCause(error)}`, settings.apiKey));
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ...) is in `cause`. */
function describeCause(error: unknown): string {
  const message = textField(error, 'message') ?? String(error);
  const cause = typeof error === 'object' && error !== null ? textField((error as { cause?: unknown }).cause, 'message') : undefined;
  return cause === undefined ? message : `${message}: ${cause}`;
}

function textField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

function statusError(status: number, text: string, apiKey: string, label: string): FirstPromoterApiError {
  const server = serverError(text);
  const said = server.message ? `: ${server.message.slice(0, SERVER_TEXT_LIMIT)}` : '';
  const message = scrubSecret(`${label} answered ${status}${said}`, apiKey);
  const serverCode = server.code === undefined ? undefined : scrubSecret(server.code, apiKey);
  return new FirstPromoterApiError(codeForStatus(status), message, { status, serverCode });
}

/** FirstPromoter's ErrorResponse is `{ message, code }`; anything else is shown as (truncated) text. */
function serverError(text: string): { message?: string; code?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const { message, code } = parsed as Record<string, unknown>;
      return { message: typeof message === 'string' ? message : text, code: typeof code === 'string' ? code : undefined };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { message: text.trim() || undefined };
}

function codeForStatus(status: number): FirstPromoterApiErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 422 || status === 400) return 'invalid-request';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  return 'unexpected-status';
}
