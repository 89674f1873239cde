import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ServiceConfig } from '../config/service-config';
import { httpErrorBody, httpErrorCodeOf } from './http-error';
import { requestIdHeader, requestIdOf } from './http-signals';

/**
 * The longest path parameter accepted, in bytes as sent: a 200-character AUI, each character up
 * to 4 bytes of UTF-8, each byte percent-encoded as 3 (Fastify's default of 100 refused AUIs
 * past 100 characters with 414).
 */
export const pathParameterLengthMax = 200 * 4 * 3;

/** The HTTP settings of ServiceConfig every service shares. */
export type HttpSettings = Pick<
  ServiceConfig,
  'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'HTTP_REQUESTS_PER_CONNECTION_MAX' | 'HTTP_HEADER_BYTES_MAX' | 'TRUSTED_PROXY'
>;

/**
 * Fastify's options for every service: limits on how long and how much a client may send, and
 * every error Fastify or Node's HTTP parser answers on their own in the documented
 * `{ "error": { "code", "message" } }` shape.
 */
export function httpServerOptions(settings: HttpSettings, bodyLimitBytes: number) {
  return {
    logger: false,
    bodyLimit: bodyLimitBytes,
    routerOptions: { maxParamLength: pathParameterLengthMax },
    // Node's requestTimeout: the whole request, body included, must arrive within this.
    requestTimeout: settings.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: settings.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxRequestsPerSocket: settings.HTTP_REQUESTS_PER_CONNECTION_MAX,
    http: {
      // Node refuses a headers timeout longer than the request timeout: the shorter wins.
      headersTimeout: Math.min(settings.HTTP_HEADERS_TIMEOUT_MS, settings.HTTP_REQUEST_TIMEOUT_MS),
      maxHeaderSize: settings.HTTP_HEADER_BYTES_MAX,
      // Node checks the timeouts above only this often (default 30 s): a quarter of the shortest, at most a second.
      connectionsCheckingInterval: Math.min(1_000, Math.floor(Math.min(settings.HTTP_REQUEST_TIMEOUT_MS, settings.HTTP_HEADERS_TIMEOUT_MS) / 4)),
    },
    trustProxy: trustProxyOf(settings.TRUSTED_PROXY),
    // The caller's X-Request-Id when it is acceptable, else a new UUID (recordHttpSignals echoes and logs it).
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers[requestIdHeader]),
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  };
}

/** TRUSTED_PROXY (validated by ServiceConfig) as Fastify's trustProxy: off, a hop count, or addresses. */
export function trustProxyOf(value: string): boolean | number | string {
  if (value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** A URL Fastify cannot route: bad percent-encoding (400) or a path parameter over the limit (414). */
function answerFrameworkError(error: Error & { statusCode?: number }, _request: unknown, reply: { code(status: number): { send(body: unknown): unknown } }): void {
  const status = error.statusCode ?? 400;
  void reply.code(status).send(httpErrorBody(httpErrorCodeOf(status), status === 414 ? `a path parameter is longer than ${pathParameterLengthMax} bytes` : 'the URL is not valid percent-encoding'));
}

/**
 * Errors Node's HTTP parser raises before there is a request (the request or its headers took
 * too long, headers too large, malformed HTTP): answered on the raw socket, which is then closed.
 * As Node does, nothing is written when a response has already started on that socket.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message = status === 408 ? 'the request took too long to arrive' : status === 431 ? 'the request headers are too large' : 'the request is not valid HTTP';
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(httpErrorBody(httpErrorCodeOf(status), message));
    socket.write(`HTTP/1.1 ${status} ${reasonOf(status)}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

function reasonOf(status: number): string {
  return status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
}
