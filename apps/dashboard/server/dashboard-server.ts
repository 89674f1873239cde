import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { connect, Socket } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { mintUserToken } from './dev-token';

export interface DashboardServerOptions {
  /** The built page (vite's output). */
  staticDirectory: string;
  /** The query service the page's /graphql goes to (HTTP and graphql-ws). */
  queryUrl: URL;
  /** Set only in development: the secret of QUERY_JWT_SECRET, which enables POST /dev/sign-in. */
  devSignInSecret: string | null;
  devUsers: string[];
  /** Who may frame the page (CSP frame-ancestors): a partner embedding it in their app lists their origin. */
  frameAncestors: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};
const signInBodyBytesMax = 4_096;

/**
 * Serves the page, forwards /graphql (HTTP and WebSocket) to the query service so the page talks
 * to its own origin (no CORS, and the token never leaves for another host), and in development
 * only, mints user tokens for simulator users.
 */
export function createDashboardServer(options: DashboardServerOptions): Server {
  const securityHeaders = {
    'content-security-policy': `default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors ${options.frameAncestors}; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://dashboard').pathname;
    if (path === '/graphql') return forwardRequest(options.queryUrl, request, response);
    if (path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (path === '/config.json') return sendJson(response, 200, { devSignIn: options.devSignInSecret !== null, devUsers: options.devUsers });
    if (path === '/dev/sign-in' && request.method === 'POST') return void devSignIn(options, request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: 'method not allowed' });
    serveStatic(options.staticDirectory, path, response, securityHeaders);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://dashboard').pathname !== '/graphql') return socket.destroy();
    forwardUpgrade(options.queryUrl, request, socket, head);
  });
  return server;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function serveStatic(directory: string, path: string, response: ServerResponse, headers: Record<string, string>): void {
  const root = resolve(directory);
  const candidate = resolve(join(root, normalize(decodeURIComponent(path))));
  const insideRoot = candidate.startsWith(`${root}/`);
  // Unknown paths get the page itself, so a partner can link to any route of it.
  const file = insideRoot && existsSync(candidate) && statSync(candidate).isFile() ? candidate : join(root, 'index.html');
  if (!existsSync(file)) return sendJson(response, 503, { error: 'the dashboard is not built: run `npm run build`' });
  // Hashed asset names never change content: cache them; the page itself is always revalidated.
  const cache = file.includes(`${join(root, 'assets')}/`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  response.writeHead(200, { ...headers, 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'cache-control': cache });
  createReadStream(file).pipe(response);
}

async function devSignIn(options: DashboardServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (options.devSignInSecret === null) return sendJson(response, 403, { error: 'development sign-in is off: this dashboard runs outside development mode' });
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > signInBodyBytesMax) return sendJson(response, 413, { error: 'body too large' });
  }
  let aui: unknown;
  try {
    aui = (JSON.parse(body) as { aui?: unknown }).aui;
  } catch {
    return sendJson(response, 400, { error: 'send JSON: {"aui": "..."}' });
  }
  if (typeof aui !== 'string') return sendJson(response, 400, { error: 'aui must be a string' });
  const minted = mintUserToken(options.devSignInSecret, aui, Date.now());
  if ('problem' in minted) return sendJson(response, 400, { error: minted.problem });
  sendJson(response, 200, minted);
}

function forwardRequest(target: URL, request: IncomingMessage, response: ServerResponse): void {
  const upstream = httpRequest(
    { hostname: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host, 'x-forwarded-for': request.socket.remoteAddress ?? '' } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) sendJson(response, 502, { errors: [{ message: 'the query service did not answer', extensions: { code: 'UNAVAILABLE' } }] });
    else response.destroy();
  });
  request.pipe(upstream);
}

/** A WebSocket upgrade is forwarded as bytes: the handshake as received, then both directions piped. */
function forwardUpgrade(target: URL, request: IncomingMessage, socket: Socket, head: Buffer): void {
  const upstream = connect(Number(target.port), target.hostname, () => {
    const headers = Object.entries({ ...request.headers, host: target.host })
      .flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => `${name}: ${item}`) : value === undefined ? [] : [`${name}: ${value}`]));
    upstream.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  const closeBoth = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', closeBoth);
  socket.on('error', closeBoth);
  upstream.on('close', closeBoth);
  socket.on('close', closeBoth);
}
