import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import Fastify, { FastifyHttpOptions } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config/load-config';
import { ServiceConfig } from '../../config/service-config';
import { httpServerOptions } from '../http-server-options';
import { recordHttpSignals } from '../http-signals';

/** A Fastify server as startService builds it (the shell's options and signals), with a logger whose lines the test reads. */
function serverWithSignals() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => { lines.push(JSON.parse(String(chunk))); done(); } });
  const registry = new Registry();
  const options = httpServerOptions(loadConfig(ServiceConfig, { DATABASE_URL: 'postgres://unused' }), 1024);
  const fastify = Fastify(options as FastifyHttpOptions<Server>);
  recordHttpSignals(fastify, { registry, logger: pino({ level: 'info' }, sink) });
  fastify.get('/earnings/:aui', async (request) => ({ aui: (request.params as { aui: string }).aui }));
  fastify.get('/broken', async () => {
    throw new Error('a bug');
  });
  fastify.get('/health/ready', async () => ({ status: 'ok' }));
  return { fastify, registry, lines };
}

describe('recordHttpSignals', () => {
  it('echoes an acceptable X-Request-Id, replaces any other with a new UUID, and logs it with the request', async () => {
    const { fastify, lines } = serverWithSignals();
    const given = await fastify.inject({ url: '/earnings/user-1?token=secret', headers: { 'x-request-id': 'lb-4bf92f3577b34da6' } });
    const made = await fastify.inject({ url: '/earnings/user-1' });
    const refused = await fastify.inject({ url: '/earnings/user-1', headers: { 'x-request-id': 'spaces and "quotes"' } });
    expect(given.headers['x-request-id']).toBe('lb-4bf92f3577b34da6');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0]).toMatchObject({ msg: 'http request', requestId: 'lb-4bf92f3577b34da6', method: 'GET', path: '/earnings/user-1', route: '/earnings/:aui', status: 200, client: '127.0.0.1' });
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(lines.map((line) => line.requestId)).toEqual([given.headers['x-request-id'], made.headers['x-request-id'], refused.headers['x-request-id']]);
  });

  it('measures every request by route template and status, unmatched paths under one label', async () => {
    const { fastify, registry } = serverWithSignals();
    await fastify.inject({ url: '/earnings/a' });
    await fastify.inject({ url: '/earnings/b' });
    await fastify.inject({ url: '/broken' });
    await fastify.inject({ url: '/no/such/path/123' });
    const text = await registry.metrics();
    expect(text).toContain('http_server_request_duration_seconds_count{http_request_method="GET",http_route="/earnings/:aui",http_response_status_code="200"} 2');
    expect(text).toContain('http_server_request_duration_seconds_count{http_request_method="GET",http_route="/broken",http_response_status_code="500"} 1');
    expect(text).toContain('http_server_request_duration_seconds_count{http_request_method="GET",http_route="unmatched",http_response_status_code="404"} 1');
    expect(text).toMatch(/http_server_request_duration_seconds_bucket\{le="0.005",http_request_method="GET",http_route="\/earnings\/:aui",http_response_status_code="200"\} \d/);
  });

  it('logs probes at debug level only, and server errors as warnings', async () => {
    const { fastify, lines } = serverWithSignals();
    await fastify.inject({ url: '/health/ready' });
    await fastify.inject({ url: '/broken' });
    expect(lines.map((line) => [line.path, line.level])).toEqual([['/broken', 40]]);
  });
});
