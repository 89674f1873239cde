import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboardOptionsOf } from '../dashboard-config';
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
    expect(dashboardOptionsOf({}, '/web')).toMatchObject({ port: 3005, devSignInSecret: null, staticDirectory: '/web', frameAncestors: "'self'" });
    expect(dashboardOptionsOf({ DASHBOARD_DEV_SIGN_IN: 'true', DASHBOARD_DEV_JWT_SECRET: secret, NODE_ENV: 'development', DASHBOARD_DEV_USERS: 'a, b' }, '/web'))
      .toMatchObject({ devSignInSecret: secret, devUsers: ['a', 'b'] });
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
  writeFileSync(join(page, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(page, 'assets', 'index-abc.js'), 'console.log(1)');

  const serve = async (overrides: Partial<DashboardServerOptions>) => {
    const server = createDashboardServer({ staticDirectory: page, queryUrl: new URL('http://127.0.0.1:9'), devSignInSecret: null, devUsers: [], frameAncestors: "'self'", ...overrides });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
  };

  it('serves the page with a strict content security policy, hashed assets cached for good, and the page for unknown paths', async () => {
    const server = await serve({});
    try {
      const index = await fetch(`${server.url}/`);
      expect([index.status, index.headers.get('cache-control'), await index.text()]).toEqual([200, 'no-cache', '<!doctype html><title>page</title>']);
      expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'; connect-src 'self'/);
      const asset = await fetch(`${server.url}/assets/index-abc.js`);
      expect([asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual(['text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
      expect(await (await fetch(`${server.url}/some/route`)).text()).toContain('<title>page</title>');
      expect(await (await fetch(`${server.url}/..%2f..%2fetc%2fpasswd`)).text()).toContain('<title>page</title>');
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
});
