import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import fastifyHttpProxy, { FastifyHttpProxyOptions } from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
// The one file, not '@earnings/service-shell': the library's index loads NestJS, which this small server does not need (about 60 MB of memory).
import { recordHttpSignals, requestIdHeader, requestIdOf } from '../../../libs/service-shell/src/http/http-signals';
import { mintUserToken } from './dev-token';

export interface DashboardServerOptions {
  /** The built page (vite's output, with .br and .gz beside each file). */
  staticDirectory: string;
  /** The query service the page's /graphql goes to (HTTP and graphql-ws). */
  queryUrl: URL;
  /** Set only in development: the secret of QUERY_JWT_SECRET, which enables POST /dev/sign-in. */
  devSignInSecret: string | null;
  devUsers: string[];
  /** Who may frame the page (CSP frame-ancestors): a partner embedding it in their app lists their origin. */
  frameAncestors: string;
  /** Origins the page may load images from besides its own (CSP img-src): where store logos are hosted. */
  imageSources: string[];
}

const signInBodyBytesMax = 4_096;
/** The GraphQL requests the page sends are small; the query service refuses larger ones anyway. */
const graphqlBodyBytesMax = 1024 * 1024;
/** The error body every service answers with. */
const httpErrorBody = (code: string, message: string) => ({ error: { code, message } });
const unavailable = { errors: [{ message: 'the query service did not answer', extensions: { code: 'UNAVAILABLE' } }] };

/**
 * Serves the page (precompressed files when the browser takes them), forwards /graphql, HTTP and
 * WebSocket, to the query service so the page talks to its own origin (no CORS, and the token never
 * leaves for another host), serves its own /metrics, and in development only, mints user tokens
 * for simulator users. Fastify answers a URL it cannot decode with 400 and keeps serving.
 */
export async function createDashboardServer(options: DashboardServerOptions, logger: Logger): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: false,
    bodyLimit: graphqlBodyBytesMax,
    genReqId: (request) => requestIdOf(request.headers[requestIdHeader]),
    // A URL that is not valid percent-encoding: 400, like every service (the old server died of it).
    frameworkErrors: (error, _request, reply) => void (reply as FastifyReply).code(error.statusCode ?? 400).send(httpErrorBody('BAD_REQUEST', 'the URL is not valid percent-encoding')),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  recordHttpSignals(fastify, { registry, logger });

  fastify.get('/health', async () => ({ status: 'ok' }));
  fastify.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await registry.metrics()));
  fastify.get('/config.json', async (_request, reply) => reply.header('cache-control', 'no-store').send({ devSignIn: options.devSignInSecret !== null, devUsers: options.devUsers }));
  fastify.post('/dev/sign-in', { bodyLimit: signInBodyBytesMax }, async (request, reply) => devSignIn(options, request, reply));
  await fastify.register(fastifyHttpProxy, {
    upstream: options.queryUrl.origin,
    prefix: '/graphql',
    rewritePrefix: '/graphql',
    websocket: true,
    replyOptions: {
      rewriteRequestHeaders: (request, headers) => forwardedHeaders(request, headers),
      onError: (reply) => void reply.code(502).send(unavailable),
    },
    // The WebSocket handshake to the query service carries only these: graphql-ws sends its token in connection_init, not in a header.
    // The plugin documents and runs rewriteRequestHeaders here; its type declarations do not list it yet.
    wsClientOptions: { rewriteRequestHeaders: (headers: IncomingHttpHeaders, request: ForwardedRequest) => forwardedHeaders(request, headers) } as FastifyHttpProxyOptions['wsClientOptions'],
  });
  await registerPage(fastify, options);
  return fastify;
}

/** What forwarding needs of a request, HTTP or WebSocket upgrade. */
interface ForwardedRequest {
  id: string;
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string };
}

/**
 * The client's address appended to X-Forwarded-For, never replacing what earlier proxies wrote:
 * the query service (trusting this server as a proxy, TRUSTED_PROXY) then throttles each visitor
 * by their own address instead of all of them by this server's. The request id goes along, so
 * both services' access logs name the same request.
 */
function forwardedHeaders(request: ForwardedRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const peer = request.socket.remoteAddress ?? '';
  const earlier = request.headers['x-forwarded-for'];
  const forwardedFor = [earlier, peer].flat().filter((value): value is string => typeof value === 'string' && value !== '').join(', ');
  return { ...headers, 'x-forwarded-for': forwardedFor, [requestIdHeader]: request.id };
}

async function registerPage(fastify: FastifyInstance, options: DashboardServerOptions): Promise<void> {
  const securityHeaders = {
    'content-security-policy': `default-src 'self'; connect-src 'self'; img-src ${["'self'", 'data:', ...options.imageSources].join(' ')}; style-src 'self'; frame-ancestors ${options.frameAncestors}; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const assetsDirectory = join(options.staticDirectory, 'assets');
  await fastify.register(fastifyStatic, {
    root: options.staticDirectory,
    // The build writes index.html.br, assets/*.js.gz and so on: served as they are to browsers that accept them, no CPU spent per request.
    preCompressed: true,
    // Source maps are kept out of the served folder by the build; should one ever land there, it is not served.
    allowedPath: (path) => !path.endsWith('.map'),
    cacheControl: false,
    wildcard: true,
    index: false,
    setHeaders: (reply, path) => {
      // Hashed asset names never change content: cache them for good; the page itself is always revalidated.
      void reply.headers({ ...securityHeaders, 'cache-control': path.startsWith(`${assetsDirectory}/`) ? 'public, max-age=31536000, immutable' : 'no-cache' });
    },
  });
  // Unknown paths get the page itself, so a partner can link to any route of it.
  const sendPage = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(405).send(httpErrorBody('METHOD_NOT_ALLOWED', 'method not allowed'));
    if (!existsSync(join(options.staticDirectory, 'index.html'))) return reply.code(503).send(httpErrorBody('UNAVAILABLE', 'the dashboard is not built: run `npm run build`'));
    return reply.sendFile('index.html');
  };
  fastify.get('/', sendPage);
  fastify.setNotFoundHandler(sendPage);
}

async function devSignIn(options: DashboardServerOptions, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  void reply.header('cache-control', 'no-store');
  if (options.devSignInSecret === null) return reply.code(403).send({ error: 'development sign-in is off: this dashboard runs outside development mode' });
  const aui = (request.body as { aui?: unknown } | undefined)?.aui;
  if (typeof aui !== 'string') return reply.code(400).send({ error: 'send JSON: {"aui": "..."}' });
  const minted = mintUserToken(options.devSignInSecret, aui, Date.now());
  if ('problem' in minted) return reply.code(400).send({ error: minted.problem });
  return reply.send(minted);
}
