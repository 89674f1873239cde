import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Histogram, Registry } from 'prom-client';

/** The header a request id arrives in (from a load balancer or a calling service) and is echoed back in. */
export const requestIdHeader = 'x-request-id';

/**
 * A caller's request id is kept when it looks like one: at most 128 characters a log reader can
 * copy (UUIDs, ULIDs, AWS and nginx ids). Anything else is replaced by a new UUID, so a client
 * cannot put arbitrary text into the logs.
 */
const acceptedRequestId = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/** The request id of a request: the caller's, when acceptable, else a new one. Fastify's genReqId. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && acceptedRequestId.test(header) ? header : randomUUID();
}

/**
 * `http.server.request.duration` of OpenTelemetry's HTTP conventions, with its label names and its
 * advised buckets, so dashboards written for those conventions read it as is.
 */
export const httpServerRequestDuration = {
  name: 'http_server_request_duration_seconds',
  help: 'Time from a request arriving to its response being sent, by method, route template and status',
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
} as const;

/** The route label of a request no route matched (404s, bad URLs): one series, whatever path was asked for. */
export const unmatchedRoute = 'unmatched';

export interface HttpSignalsOptions {
  registry: Registry;
  logger: Logger;
  /**
   * Paths whose access log lines would only be noise (probes every few seconds, scrapes): still
   * measured, logged at debug level. Their failures are seen in readiness and in `up`.
   */
  quietPaths?: RegExp;
}

const defaultQuietPaths = /^\/(health(\/.*)?|metrics)$/;

/**
 * What an on-call needs from every HTTP server: a request id (the caller's X-Request-Id or a new
 * one, echoed back, in every access log line), the request duration histogram by route template
 * and status, and one access log line per request. Paths are logged without their query string,
 * where tokens may travel (FirstPromoter's legacy `?token=`).
 */
export function recordHttpSignals(fastify: FastifyInstance, options: HttpSignalsOptions): void {
  const existing = options.registry.getSingleMetric(httpServerRequestDuration.name) as Histogram<string> | undefined;
  const duration = existing ?? new Histogram({ ...httpServerRequestDuration, labelNames: [...httpServerRequestDuration.labelNames], buckets: [...httpServerRequestDuration.buckets], registers: [options.registry] });
  const quietPaths = options.quietPaths ?? defaultQuietPaths;
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.header(requestIdHeader, request.id);
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url ?? unmatchedRoute;
    const status = reply.statusCode;
    duration.observe({ http_request_method: request.method, http_route: route, http_response_status_code: String(status) }, reply.elapsedTime / 1_000);
    const path = request.url.split('?', 1)[0];
    const line = { requestId: request.id, method: request.method, path, route, status, durationMs: Math.round(reply.elapsedTime * 10) / 10, client: request.ip };
    if (status >= 500) options.logger.warn(line, 'http request');
    else if (quietPaths.test(path)) options.logger.debug(line, 'http request');
    else options.logger.info(line, 'http request');
    done();
  });
}
