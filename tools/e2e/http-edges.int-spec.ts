import { createSuiteDatabase, queryApiKey, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, uniqueSuffix } from './test-stack';
import { payoutAdminToken } from './payout-scenario';

interface ErrorAnswer {
  status: number;
  body: unknown;
}

/** The documented error answer: `{ "error": { "code", "message" } }`, a 4xx, no stack trace. */
function expectDocumentedError(answer: ErrorAnswer, status: number): void {
  expect({ status: answer.status, body: answer.body }).toEqual({
    status,
    body: { error: expect.objectContaining({ code: expect.stringMatching(/^[a-z-]+$/), message: expect.any(String) }) },
  });
  expect(JSON.stringify(answer.body)).not.toMatch(/at .+\.(js|ts):\d+/);
}

async function answerOf(response: Response): Promise<ErrorAnswer> {
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/**
 * The HTTP edges of every service (issue 17, findings 4 and 5): input that can never succeed is
 * a 4xx in the documented shape, never a 500 and never Fastify's own error shape; AUIs of up to
 * 200 characters fit in a path parameter, however they are encoded.
 */
describe('HTTP edges answer 4xx in the documented shape', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const legacyToken = 'e2e-legacy-token-0123456789';
  const apiKey = queryApiKey('edges', 'e2e-edges-api-key');
  const adminHeaders = { authorization: `Bearer ${payoutAdminToken}` };

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('http_edges');
    const suffix = uniqueSuffix();
    apps = await startApps(['ingest', 'payout', 'query'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn',
      WILDFIRE_CALLBACK_KEYS: 'e2e-edges-callback-key', FIRSTPROMOTER_LEGACY_TOKEN: legacyToken,
      PAYOUT_ADMIN_TOKEN: payoutAdminToken, PAYOUT_CONSUMER_GROUP: `http-edges-${suffix}`, PAYOUT_SESSION_TIMEOUT_MS: '6000', PAYOUT_RUN_CRON: '0 0 1 1 *',
      ...apiKey.env,
    });
  }, 180_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  const payout = (method: string, path: string, init: RequestInit = {}) =>
    fetch(apps.url('payout', path), { method, ...init, headers: { ...adminHeaders, ...(init.headers as Record<string, string>) } }).then(answerOf);

  describe('legacy FirstPromoter webhook', () => {
    it('answers a repeated token query parameter with 401 invalid-token, not 500', async () => {
      const answer = await fetch(apps.url('ingest', `/webhooks/firstpromoter/legacy?token=${legacyToken}&token=other`), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
      }).then(answerOf);
      expectDocumentedError(answer, 401);
      expect(answer.body).toMatchObject({ error: { code: 'invalid-token' } });
    });
  });

  describe('payout admin API identifiers', () => {
    const methodBody = { body: JSON.stringify({ method: 'account_credit' }), headers: { 'content-type': 'application/json' } };
    const invalidIdentifiers = ['%00', 'a%00b', '%1B%5B31m', '%E2%80%AEevil', '%ED%A0%80'];

    it.each(invalidIdentifiers)('refuses the AUI %s in the path with 400 invalid-request', async (encoded) => {
      expectDocumentedError(await payout('PUT', `/admin/users/${encoded}/payout-method`, methodBody), 400);
    });

    // A query string with bad percent-encoding is kept as sent, so only decodable identifiers here.
    it.each(invalidIdentifiers.slice(0, -1))('refuses the AUI %s in the query with 400 invalid-request', async (encoded) => {
      expectDocumentedError(await payout('GET', `/admin/payouts?aui=${encoded}`), 400);
    });

    it.each(['%00', 'po_%00', '%E2%80%AE'])('refuses the payout id %s with 400 invalid-request', async (encoded) => {
      expectDocumentedError(await payout('POST', `/admin/payouts/${encoded}/reversal`), 400);
    });

    it('refuses a path that is not valid percent-encoding with 400 in the documented shape', async () => {
      expectDocumentedError(await payout('PUT', '/admin/users/%E0%A4%A/payout-method', methodBody), 400);
    });

    it('sets the method of an AUI of 200 characters, however it is encoded', async () => {
      // 200 UTF-16 units each (the payout service counts those): the longest percent-encoded forms.
      for (const aui of ['a'.repeat(200), '€'.repeat(200), '😀'.repeat(100), `${'%'.repeat(100)}${'/'.repeat(100)}`]) {
        const answer = await payout('PUT', `/admin/users/${encodeURIComponent(aui)}/payout-method`, methodBody);
        expect({ status: answer.status, aui: (answer.body as { aui?: string }).aui }).toEqual({ status: 200, aui });
        const listed = await payout('GET', `/admin/payouts?aui=${encodeURIComponent(aui)}`);
        expect(listed).toEqual({ status: 200, body: { payouts: [] } });
      }
    });

    it('refuses an AUI of 201 characters with 400, and a path parameter far too long with a 4xx, both in the documented shape', async () => {
      expectDocumentedError(await payout('PUT', `/admin/users/${'a'.repeat(201)}/payout-method`, methodBody), 400);
      const tooLong = await payout('PUT', `/admin/users/${'%F0%9F%98%80'.repeat(1_000)}/payout-method`, methodBody);
      expect([400, 414]).toContain(tooLong.status);
      expectDocumentedError(tooLong, tooLong.status);
    });
  });

  describe("Fastify's own errors, in every service", () => {
    const bigBody = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });

    it('payout: malformed JSON 400, unsupported media type 415, body too large 413', async () => {
      expectDocumentedError(await payout('PUT', '/admin/users/someone/payout-method', { body: '{"method": ', headers: { 'content-type': 'application/json' } }), 400);
      expectDocumentedError(await payout('PUT', '/admin/users/someone/payout-method', { body: 'method=paypal', headers: { 'content-type': 'text/plain' } }), 415);
      expectDocumentedError(await payout('PUT', '/admin/users/someone/payout-method', { body: bigBody, headers: { 'content-type': 'application/json' } }), 413);
    });

    it('query: malformed JSON 400, unsupported media type 415, body too large 413 on /graphql', async () => {
      const post = (body: string, contentType: string) =>
        fetch(apps.url('query', '/graphql'), { method: 'POST', headers: { 'content-type': contentType, ...apiKey.headers }, body }).then(answerOf);
      expectDocumentedError(await post('{"query": ', 'application/json'), 400);
      expectDocumentedError(await post('query { x }', 'text/plain'), 415);
      expectDocumentedError(await post(bigBody, 'application/json'), 413);
    });

    it('every service: an unknown route is 404 in the documented shape', async () => {
      for (const app of ['ingest', 'payout', 'query'] as const) {
        expectDocumentedError(await fetch(apps.url(app, '/no-such-route')).then(answerOf), 404);
      }
    });

    it('every service: a path that is not valid percent-encoding is 400 in the documented shape', async () => {
      for (const app of ['ingest', 'payout', 'query'] as const) {
        expectDocumentedError(await fetch(apps.url(app, '/health/%E0%A4%A')).then(answerOf), 400);
      }
    });
  });
});
