import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { dashboardOptionsOf, imageSourcesOf } from '../dashboard-config';
import { createDashboardServer, DashboardServerOptions } from '../dashboard-server';
import { mintUserToken } from '../dev-token';

const secret = 'a-development-secret-of-32-characters!';

describe('dashboardOptionsOf: the development sign-in only in development', () => {
  it('refuses DASHBOARD_DEV_SIGN_IN outside NODE_ENV=development, and without a 32-character secret', () => {
    expect(() => dashboardOptionsOf({ DASHBOARD_DEV_SIGN_IN: 'true', DASHBOARD_DEV_JWT_SECRET: secret, NODE_ENV: 'production' }, '/web')).toThrow(/refused unless NODE_ENV=development/);
    expect(() => dashboardOptionsOf({ DASHBOARD_DEV_SIGN_IN: 'true', DASHBOARD_DEV_JWT_SECRET: secret }, '/web')).toThrow(/refused unless NODE_ENV=development/);
    expect(() => dashboardOptionsOf({ DASHBOARD_DEV_SIGN_IN: 'true', DASHBOARD_DEV_JWT_SECRET: 'short', NODE_ENV: 'development' }, '/web')).toThrow(/32\+ characters/);
  });

  it('has it off by default, and on only when asked for in development', () => {
    expect(dashboardOptionsOf({}, '/web')).toMatchObject({ port: 3005, devSignInSecret: null, staticDirectory: '/web', frameAncestors: "'self'", imageSources: ['https://images.wildlink.me'] });
    expect(dashboardOptionsOf({ DASHBOARD_DEV_SIGN_IN: 'true', DASHBOARD_DEV_JWT_SECRET: secret, NODE_ENV: 'development', DASHBOARD_DEV_USERS: 'a, b' }, '/web'))
      .toMatchObject({ devSignInSecret: secret, devUsers: ['a', 'b'] });
  });
});

describe('DASHBOARD_IMAGE_SOURCES: where store logos may load from', () => {
  it('takes http(s) origins, comma-separated, and writes each back as its origin', () => {
    expect(imageSourcesOf('https://images.wildlink.me, http://127.0.0.1:3010/')).toEqual(['https://images.wildlink.me', 'http://127.0.0.1:3010']);
    expect(imageSourcesOf('')).toEqual([]);
    expect(dashboardOptionsOf({ DASHBOARD_IMAGE_SOURCES: 'https://cdn.partner.example' }, '/web').imageSources).toEqual(['https://cdn.partner.example']);
  });

  it('refuses anything that is not an origin, so nothing else reaches the policy header', () => {
    for (const bad of ['images.wildlink.me', 'https://images.wildlink.me/wl-image', "https://a.example; script-src 'unsafe-inline'", 'javascript:alert(1)', 'https://user@a.example']) {
      expect(() => imageSourcesOf(bad)).toThrow(/DASHBOARD_IMAGE_SOURCES/);
    }
  });
});

describe('mintUserToken', () => {
  it('signs an HS256 token whose sub is the AUI, valid for 15 minutes', () => {
    const minted = mintUserToken(secret, 'sim-user-0001', Date.parse('2026-11-29T12:00:00Z'));
    if ('problem' in minted) throw new Error(minted.problem);
    const [header, payload, signature] = minted.token.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ sub: 'sim-user-0001', iat: 1795953600, exp: 1795954500 });
    expect(signature).toBe(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'));
    expect(minted.expiresAt).toBe('2026-11-29T12:15:00.000Z');
  });

  it('refuses an AUI the identifier rule refuses', () => {
    expect(mintUserToken(secret, ' padded', 0)).toEqual({ problem: expect.stringMatching(/whitespace/) });
    expect(mintUserToken(secret, '~unattributed', 0)).toEqual({ problem: expect.stringMatching(/reserves/) });
  });
});

describe('the dashboard server', () => {
  const page = mkdtempSync(join(tmpdir(), 'dashboard-page-'));
  mkdirSync(join(page, 'assets'));
  const script = 'console.log("the dashboard");'.repeat(20);
  writeFileSync(join(page, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(page, 'assets', 'index-abc.js'), script);
  writeFileSync(join(page, 'assets', 'index-abc.js.br'), brotliCompressSync(script));
  writeFileSync(join(page, 'assets', 'index-abc.js.gz'), gzipSync(script));
  writeFileSync(join(page, 'assets', 'index-abc.js.map'), '{"sources":["../../src/secret-business-logic.ts"]}');
  const quiet = pino({ level: 'silent' });

  const serve = async (overrides: Partial<DashboardServerOptions>) => {
    const server = await createDashboardServer({ staticDirectory: page, queryUrl: new URL('http://127.0.0.1:9'), devSignInSecret: null, devUsers: [], frameAncestors: "'self'", imageSources: ['https://images.wildlink.me'], ...overrides }, quiet);
    await server.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`, close: () => server.close() };
  };

  /** A raw GET, so the URL reaches the server exactly as written (fetch would not send some of them). */
  const rawGet = (url: string, path: string) => new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject).end();
  });

  it('serves the page with a strict content security policy, hashed assets cached for good, and the page for unknown paths', async () => {
    const server = await serve({});
    try {
      const index = await fetch(`${server.url}/`);
      expect([index.status, index.headers.get('cache-control'), await index.text()]).toEqual([200, 'no-cache', '<!doctype html><title>page</title>']);
      expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'; connect-src 'self'/);
      // Store logos stay on Wildfire's image host: the page may load images from it, and from nowhere else.
      expect(index.headers.get('content-security-policy')).toContain("img-src 'self' data: https://images.wildlink.me;");
      const asset = await fetch(`${server.url}/assets/index-abc.js`, { headers: { 'accept-encoding': 'identity' } });
      expect([asset.headers.get('content-type'), asset.headers.get('cache-control'), await asset.text()]).toEqual([expect.stringMatching(/^(text|application)\/javascript; charset=utf-8$/), 'public, max-age=31536000, immutable', script]);
      expect(await (await fetch(`${server.url}/some/route`)).text()).toContain('<title>page</title>');
      expect(await (await fetch(`${server.url}/..%2f..%2fetc%2fpasswd`)).text()).toContain('<title>page</title>');
    } finally {
      await server.close();
    }
  });

  it('answers a URL that is not valid percent-encoding with 400, and keeps serving', async () => {
    const server = await serve({});
    try {
      expect(await rawGet(server.url, '/%E0%A4%A')).toBe(400);
      expect(await rawGet(server.url, '/assets/%E0%A4%A')).toBe(400);
      expect(await rawGet(server.url, '/')).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('sends the precompressed file a browser accepts (brotli, else gzip), and never a source map', async () => {
    const server = await serve({});
    try {
      const get = (path: string, encoding: string) => new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        const { hostname, port } = new URL(server.url);
        httpRequest({ hostname, port, path, headers: { 'accept-encoding': encoding } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject).end();
      });
      expect(await get('/assets/index-abc.js', 'gzip, deflate, br')).toEqual({ encoding: 'br', body: brotliCompressSync(script) });
      expect(await get('/assets/index-abc.js', 'gzip')).toEqual({ encoding: 'gzip', body: gzipSync(script) });
      const map = await fetch(`${server.url}/assets/index-abc.js.map`);
      expect(await map.text()).not.toContain('secret-business-logic');
    } finally {
      await server.close();
    }
  });

  it('answers /dev/sign-in with 403 when the development sign-in is off, and a token when on', async () => {
    const off = await serve({});
    const on = await serve({ devSignInSecret: secret, devUsers: ['sim-user-0001'] });
    try {
      const signIn = (url: string, body: string) => fetch(`${url}/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect((await signIn(off.url, '{"aui":"sim-user-0001"}')).status).toBe(403);
      expect(await (await fetch(`${off.url}/config.json`)).json()).toEqual({ devSignIn: false, devUsers: [] });
      const minted = await signIn(on.url, '{"aui":"sim-user-0001"}');
      expect([minted.status, Object.keys((await minted.json()) as object)]).toEqual([200, ['token', 'expiresAt']]);
      expect((await signIn(on.url, 'not json')).status).toBe(400);
      expect((await signIn(on.url, JSON.stringify({ aui: 'x'.repeat(5_000) }))).status).toBe(413);
    } finally {
      await off.close();
      await on.close();
    }
  });

  it('answers 502 with a GraphQL error when the query service does not answer', async () => {
    const server = await serve({});
    try {
      const answer = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect([answer.status, await answer.json()]).toEqual([502, { errors: [{ message: 'the query service did not answer', extensions: { code: 'UNAVAILABLE' } }] }]);
    } finally {
      await server.close();
    }
  });

  describe('forwarding /graphql to the query service', () => {
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const upgrades: IncomingHttpHeaders[] = [];
    const query = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += String(chunk)));
      request.on('end', () => {
        seen.push({ headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"__typename":"Query"}}');
      });
    });
    const sockets = new WebSocketServer({ server: query, handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
    sockets.on('connection', (socket, request) => {
      upgrades.push(request.headers);
      socket.on('message', (data) => socket.send(`echo ${String(data)}`));
    });
    let queryUrl: URL;

    beforeAll(async () => {
      await new Promise<void>((resolve) => query.listen(0, '127.0.0.1', resolve));
      queryUrl = new URL(`http://127.0.0.1:${(query.address() as AddressInfo).port}`);
    });
    afterAll(async () => {
      sockets.close();
      await new Promise((resolve) => query.close(resolve));
    });

    it('appends the client to X-Forwarded-For instead of overwriting it, and passes its request id along', async () => {
      const server = await serve({ queryUrl });
      try {
        const post = (headers: Record<string, string>) => fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}' });
        const answer = await post({ 'x-forwarded-for': '203.0.113.7', 'x-request-id': 'edge-123' });
        expect([answer.status, await answer.json(), answer.headers.get('x-request-id')]).toEqual([200, { data: { __typename: 'Query' } }, 'edge-123']);
        await post({});
        expect(seen.map(({ headers }) => [headers['x-forwarded-for'], headers['x-request-id']])).toEqual([['203.0.113.7, 127.0.0.1', 'edge-123'], ['127.0.0.1', expect.stringMatching(/^[0-9a-f-]{36}$/)]]);
        expect(seen[0].body).toBe('{"query":"{ __typename }"}');
      } finally {
        await server.close();
      }
    });

    it('forwards graphql-ws WebSockets both ways, with the client in X-Forwarded-For', async () => {
      const server = await serve({ queryUrl });
      try {
        const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { 'x-forwarded-for': '198.51.100.9' } });
        const reply = await new Promise<string>((resolve, reject) => {
          socket.on('open', () => socket.send('{"type":"connection_init"}'));
          socket.on('message', (data) => resolve(String(data)));
          socket.on('error', reject);
        });
        expect([reply, socket.protocol]).toEqual(['echo {"type":"connection_init"}', 'graphql-transport-ws']);
        expect(upgrades.at(-1)?.['x-forwarded-for']).toBe('198.51.100.9, 127.0.0.1');
        socket.close();
      } finally {
        await server.close();
      }
    });
  });

  it('serves its own metrics: request durations by route', async () => {
    const server = await serve({});
    try {
      await fetch(`${server.url}/config.json`);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('http_server_request_duration_seconds_count{http_request_method="GET",http_route="/config.json",http_response_status_code="200"} 1');
      expect(metrics).toContain('process_cpu_seconds_total');
    } finally {
      await server.close();
    }
  });
});
