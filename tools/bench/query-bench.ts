import { createHmac } from 'node:crypto';
import { benchAui } from './events';
import { eventsPerAui, BenchSizes, queryAuisMax } from './limits';
import { withCpuPerUnit } from './cpu';
import { LoadFigures, PreparedRequest, runLoad, warmUp } from './load';
import { ResultBook } from './report';
import { BenchDatabase, BenchStack } from './stack';

const benchApiKeySecret = 'bench-query-api-key-0123456789';
const benchJwtSecret = 'bench-query-jwt-secret-0123456789abcdef';

/** The query service's environment: one partner API key, and a rate limit the load never reaches. */
export function queryEnv(database: BenchDatabase): Record<string, string> {
  return { DATABASE_URL: database.url, QUERY_API_KEYS: `bench:earnings:read:${benchApiKeySecret}`, QUERY_RATE_LIMIT_PER_MINUTE: '1000000', QUERY_COST_MAX: '1000000', QUERY_JWT_SECRET: benchJwtSecret };
}

export const queryHeaders = { 'content-type': 'application/json', authorization: `Bearer ${benchApiKeySecret}` };

const earningsQuery = 'query Earnings($aui: ID!) { earnings(aui: $aui) { aui balances { unit lifetime pending available paidOut paidByNetwork } updatedAt } }';

/** An end-user token for `aui` (its `sub`), HS256 as an identity provider sharing QUERY_JWT_SECRET would sign it. */
function userToken(aui: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: aui, iat: now, exp: now + 3_600 })}`;
  return `${unsigned}.${createHmac('sha256', benchJwtSecret).update(unsigned).digest('base64url')}`;
}

/** One request per AUI of the pre-produced events, all of which have a balance; with the partner key, or each AUI's own user token. */
function earningsRequests(run: string, projectedEvents: number, credential: 'api-key' | 'user-token'): PreparedRequest[] {
  const auiCount = Math.max(1, Math.min(queryAuisMax, Math.floor(projectedEvents / eventsPerAui)));
  return Array.from({ length: auiCount }, (_, index) => {
    const aui = benchAui(run, index);
    const headers = credential === 'api-key' ? queryHeaders : { 'content-type': 'application/json', authorization: `Bearer ${userToken(aui)}` };
    return { body: JSON.stringify({ query: earningsQuery, variables: { aui } }), headers };
  });
}

/** A response counts only when it carries at least one balance (no errors, a real lookup). */
const hasBalance = (body: string): boolean => body.includes('"balances":[{');

async function assertAnswers(url: string, request: PreparedRequest): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  } catch (error) {
    throw new Error(`${url}: ${(error as Error).message} (${String((error as Error).cause)})`);
  }
  const text = await response.text();
  if (!hasBalance(text)) throw new Error(`earnings query returned no balance (${response.status}): ${text.slice(0, 300)}`);
}

/** A closed-loop load against process `pid`, with its CPU per answered request. */
async function load(url: string, pid: number, sizes: BenchSizes, requests: PreparedRequest[]): Promise<LoadFigures & { cpuMsPerRequest: number }> {
  await assertAnswers(url, requests[0]);
  await warmUp(url, sizes.loadConnections, sizes.warmUpMs, requests);
  const measured = await withCpuPerUnit(pid, () => runLoad({ url, connections: sizes.loadConnections, durationMs: sizes.loadDurationMs, requests, verifyBody: hasBalance }), (figures) => figures.ok + figures.failed);
  return { ...measured.result, cpuMsPerRequest: measured.cpuMsPerUnit };
}

/** earnings(aui) requests per second and p99 at fixed concurrency, beside the same lookup as bare SQL behind a bare Node http server. */
export async function queryBench(stack: BenchStack, book: ResultBook, sizes: BenchSizes, database: BenchDatabase, run: string, projectedEvents: number): Promise<void> {
  const step = `4. query earnings(aui), ${sizes.loadConnections} connections`;
  const requests = earningsRequests(run, projectedEvents, 'api-key');
  const query = await stack.startService('query', 'query', queryEnv(database));
  let service: Awaited<ReturnType<typeof load>>;
  let withUserTokens: Awaited<ReturnType<typeof load>>;
  try {
    service = await load(`${query.baseUrl}/graphql`, query.child.pid!, sizes, requests);
    withUserTokens = await load(`${query.baseUrl}/graphql`, query.child.pid!, sizes, earningsRequests(run, projectedEvents, 'user-token'));
  } finally {
    await query.stop();
  }
  const bare = await stack.startBareServer('sql', 'bare-sql', { DATABASE_URL: database.url, BENCH_SCHEMA: 'ledger_1' });
  let limit: Awaited<ReturnType<typeof load>>;
  try {
    limit = await load(`${bare.url}/graphql`, bare.pid, sizes, requests);
  } finally {
    await bare.stop();
  }
  const bareLimit = 'bare Node http + the same SQL (pg, pool 10)';
  const note = `${requests.length} distinct AUIs, partner API key; query ${service.failed} failed, bare ${limit.failed} failed`;
  book.add({ step, figure: 'requests/s', value: service.okPerSecond, unit: 'req/s', limit: bareLimit, limitValue: limit.okPerSecond, note });
  book.add({ step, figure: 'CPU per request (query process)', value: service.cpuMsPerRequest, unit: 'ms', limit: bareLimit, limitValue: limit.cpuMsPerRequest, note: 'user + system CPU during the load, per answered request; PostgreSQL\'s own CPU not included' });
  book.add({ step, figure: 'p50 latency', value: service.p50Ms, unit: 'ms', limit: bareLimit, limitValue: limit.p50Ms });
  book.add({ step, figure: 'p99 latency', value: service.p99Ms, unit: 'ms', limit: bareLimit, limitValue: limit.p99Ms });
  const tokenNote = 'each AUI with its own HS256 user token: no API-key lookup in PostgreSQL per request';
  book.add({ step, figure: 'requests/s, user tokens', value: withUserTokens.okPerSecond, unit: 'req/s', limit: bareLimit, limitValue: limit.okPerSecond, note: tokenNote });
  book.add({ step, figure: 'p99 latency, user tokens', value: withUserTokens.p99Ms, unit: 'ms', limit: bareLimit, limitValue: limit.p99Ms });
  if (service.failed + withUserTokens.failed > 0) book.problem(`query: ${service.failed + withUserTokens.failed} failed requests during the loads`);
}
