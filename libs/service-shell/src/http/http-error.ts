import { HttpException } from '@nestjs/common';

/** The one error body every service answers with: `{ "error": { "code", "message" } }`. */
export interface HttpErrorBody {
  error: { code: string; message: string };
}

export interface HttpError {
  status: number;
  code: string;
  message: string;
}

/**
 * Codes for the statuses the HTTP layer itself produces (Fastify, Node's parser, Nest's routing),
 * named like the apps' own codes so a client switches on one vocabulary.
 */
const codeOfStatus: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  411: 'length-required',
  413: 'body-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  431: 'headers-too-large',
  503: 'unavailable',
};

export function httpErrorCodeOf(status: number): string {
  return codeOfStatus[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
}

export function httpErrorBody(code: string, message: string): HttpErrorBody {
  return { error: { code, message } };
}

/** Fastify's own request errors (FST_ERR_CTP_*, FST_ERR_BAD_URL, ...): the client's fault, never a 5xx. */
export function isFastifyClientError(error: unknown): error is Error & { code: string; statusCode: number } {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/**
 * What an error the app did not map itself answers: Nest's HttpExceptions and Fastify's client
 * errors keep their 4xx status and say what was wrong; anything else is a 500 whose message
 * never reaches the client (it may carry SQL, parameters or secrets).
 */
export function httpErrorOf(exception: unknown): HttpError {
  const status = statusOf(exception);
  if (status >= 500) return { status, code: httpErrorCodeOf(status), message: 'internal error' };
  return { status, code: httpErrorCodeOf(status), message: messageOf(exception) };
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  if (isFastifyClientError(exception)) return exception.statusCode;
  return 500;
}

function messageOf(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  }
  return (exception as Error).message;
}
