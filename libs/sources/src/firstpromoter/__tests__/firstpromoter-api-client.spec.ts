import { inspect } from 'node:util';
import { FirstPromoterApiClient, FirstPromoterApiConfig, FirstPromoterApiError } from '..';
import { StandIn, StandInOptions, startStandIn } from './firstpromoter-stand-in';

const API_KEY = 'fp-test-key-9f8e7d6c5b4a';
const ACCOUNT_ID = 'acc-123';

const commissions = [
  { id: 1, status: 'approved', unit: 'credits', amount: 20 },
  { id: 2, status: 'pending', unit: 'cash', amount: 1470 },
  { id: 3, status: 'approved', unit: 'points', amount: 5 },
  { id: 4, status: 'approved', unit: 'credits', amount: 10 },
  { id: 5, status: 'denied', unit: 'credits', amount: 1 },
];

let standIn: StandIn | null = null;

async function setUp(options: Partial<StandInOptions> = {}, config: Partial<FirstPromoterApiConfig> = {}) {
  standIn = await startStandIn({ apiKey: API_KEY, accountId: ACCOUNT_ID, commissions, ...options });
  const client = new FirstPromoterApiClient({
    baseUrl: standIn.baseUrl,
    apiKey: API_KEY,
    accountId: ACCOUNT_ID,
    requestTimeoutMs: 2_000,
    batchPollIntervalMsInitial: 5,
    batchPollAttemptsMax: 4,
    ...config,
  });
  return { server: standIn, client };
}

afterEach(async () => {
  await standIn?.close();
  standIn = null;
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function failure(work: Promise<unknown>): Promise<FirstPromoterApiError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof FirstPromoterApiError) return error;
    throw error;
  }
  throw new Error('expected a FirstPromoterApiError');
}

function expectNoKey(error: FirstPromoterApiError): void {
  expect(error.message).not.toContain(API_KEY);
  expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
  expect(JSON.stringify(error.details)).not.toContain(API_KEY);
}

describe('FirstPromoterApiClient against a local stand-in', () => {
  it('reads every page of commissions with both auth headers', async () => {
    const { server, client } = await setUp();
    const ids = (await collect(client.listCommissions({ page: 1, perPage: 2 }))).map((item) => item.id);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(server.requests.map((r) => [r.path, r.query.get('page'), r.query.get('per_page')])).toEqual([
      ['/api/v2/company/commissions', '1', '2'],
      ['/api/v2/company/commissions', '2', '2'],
      ['/api/v2/company/commissions', '3', '2'],
    ]);
    expect(server.requests[0].headers).toMatchObject({ authorization: `Bearer ${API_KEY}`, 'account-id': ACCOUNT_ID });
  });

  it('stops after an empty page when the total is a multiple of the page size', async () => {
    const { server, client } = await setUp({ commissions: commissions.slice(0, 4) });
    expect(await collect(client.listCommissions({ page: 1, perPage: 2 }))).toHaveLength(4);
    expect(server.requests).toHaveLength(3);
  });

  it('filters by status on the server and by unit here', async () => {
    const { server, client } = await setUp();
    const items = await collect(client.listCommissions({ status: 'approved', unit: 'credits', page: 1, perPage: 100 }));
    expect(items.map((item) => item.id)).toEqual([1, 4]);
    expect(server.requests[0].query.get('filters[status]')).toBe('approved');
    expect([...server.requests[0].query.keys()].sort()).toEqual(['filters[status]', 'page', 'per_page']);
  });

  it('finishes up to 5 ids at once', async () => {
    const { server, client } = await setUp();
    const result = await client.approve(['11', 12, '13']);
    expect(result).toMatchObject({ status: 'completed', total: 3, processedCount: 3, failedCount: 0, polls: 0 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/api/v2/company/commissions/approve', body: { ids: [11, 12, 13] } });
    expect(server.requests[0].headers['content-type']).toBe('application/json');
  });

  it('polls the batch process of a 6-id action from in_progress to completed', async () => {
    const { server, client } = await setUp({ batchPollsBeforeDone: 2 });
    const result = await client.approve([1, 2, 3, 4, 5, 6]);
    expect(result).toMatchObject({ id: 700, status: 'completed', processedCount: 6, polls: 3 });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/company/commissions/approve',
      'GET /api/v2/company/batch_processes/700',
      'GET /api/v2/company/batch_processes/700',
      'GET /api/v2/company/batch_processes/700',
    ]);
    for (const request of server.requests) expect(request.headers).toMatchObject({ authorization: `Bearer ${API_KEY}`, 'account-id': ACCOUNT_ID });
    const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i].at);
    expect(gaps[2]).toBeGreaterThanOrEqual(15); // 5, 10, 20 ms: the wait doubles
  });

  it('also polls a batch that starts as pending (the 202 schema)', async () => {
    const { client } = await setUp({ batchInitialStatus: 'pending' });
    expect(await client.deny([1, 2, 3, 4, 5, 6])).toMatchObject({ status: 'completed', polls: 2 });
  });

  it('sends each action to its documented path', async () => {
    const { server, client } = await setUp();
    await client.deny([1]);
    await client.markFulfilled([2]);
    await client.markUnfulfilled([3]);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/v2/company/commissions/deny',
      '/api/v2/company/commissions/mark_fulfilled',
      '/api/v2/company/commissions/mark_unfulfilled',
    ]);
  });

  it('reports failed, stopped and partly failed batches as typed errors', async () => {
    const failed = await setUp({ batchFinalStatus: 'failed', batchFailedCount: 6 });
    expect(await failure(failed.client.markFulfilled([1, 2, 3, 4, 5, 6]))).toMatchObject({ code: 'batch-failed', details: { batchId: 700, failedCount: 6 } });
    await failed.server.close();

    const stopped = await setUp({ batchFinalStatus: 'stopped' });
    expect(await failure(stopped.client.approve([1, 2, 3, 4, 5, 6]))).toMatchObject({ code: 'batch-stopped', retryable: false });
    await stopped.server.close();

    const partial = await setUp({ batchFailedCount: 1 });
    const error = await failure(partial.client.approve([1, 2, 3, 4, 5, 6]));
    expect(error).toMatchObject({ code: 'batch-partially-failed', details: { failedCount: 1, processingErrors: ['Commission 4 is already paid'] } });
  });

  it('gives up after the configured number of polls', async () => {
    const { server, client } = await setUp({ batchFinalStatus: 'never' }, { batchPollAttemptsMax: 3 });
    const error = await failure(client.approve([1, 2, 3, 4, 5, 6]));
    expect(error).toMatchObject({ code: 'batch-poll-exhausted', retryable: true, details: { batchId: 700 } });
    expect(server.requests.filter((r) => r.path.includes('/batch_processes/'))).toHaveLength(3);
  });

  it('refuses bad arguments before calling the API', async () => {
    const { server, client } = await setUp();
    expect(await failure(client.approve(['fulfilment:90']))).toMatchObject({ code: 'invalid-argument' });
    expect(await failure(client.approve([]))).toMatchObject({ code: 'invalid-argument' });
    expect(await failure(collect(client.listCommissions({ page: 1, perPage: 101 })))).toMatchObject({ code: 'invalid-argument' });
    expect(server.requests).toHaveLength(0);
  });

  it('maps HTTP answers to codes', async () => {
    const wrongKey = await setUp({}, { apiKey: 'wrong-key-0000' });
    expect(await failure(wrongKey.client.deny([1]))).toMatchObject({ code: 'unauthorized', details: { status: 401, serverCode: 'unauthenticated' } });
    await wrongKey.server.close();

    const wrongAccount = await setUp({}, { accountId: 'someone-else' });
    expect(await failure(collect(wrongAccount.client.listCommissions({ page: 1, perPage: 10 })))).toMatchObject({ code: 'forbidden' });
    await wrongAccount.server.close();

    const limited = await setUp({ forcedStatus: 429, forcedBody: () => '{"message":"Too Many Requests"}' });
    expect(await failure(limited.client.approve([1]))).toMatchObject({ code: 'rate-limited', retryable: true, details: { status: 429 } });
  });

  it('never puts the API key in an error, even when the server echoes the request headers', async () => {
    const echo = await setUp({ forcedStatus: 500, forcedBody: (request) => JSON.stringify({ message: `bad header ${request.headers.authorization}`, code: API_KEY }) });
    const error = await failure(echo.client.approve([1]));
    expect(error).toMatchObject({ code: 'server-error', retryable: true });
    expect(error.message).toContain('[redacted]');
    expectNoKey(error);
    await echo.server.close();

    const text = await setUp({ forcedStatus: 502, forcedBody: (request) => `<html>proxy saw ${request.headers.authorization}</html>` });
    expectNoKey(await failure(text.client.deny([1])));
    expect(inspect(text.client)).not.toContain(API_KEY);
  });

  it('times out a slow answer', async () => {
    const { client } = await setUp({ delayMs: 500 }, { requestTimeoutMs: 50 });
    const error = await failure(client.approve([1]));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expectNoKey(error);
  });

  it('reports an unreachable server as a network error', async () => {
    const { server, client } = await setUp();
    await server.close();
    const error = await failure(client.approve([1]));
    expect(error).toMatchObject({ code: 'network', retryable: true });
    expectNoKey(error);
  });

  it('rejects answers that are not the documented shapes', async () => {
    const notJson = await setUp({ forcedStatus: 200, forcedBody: () => 'OK' });
    expect(await failure(notJson.client.approve([1]))).toMatchObject({ code: 'bad-response' });
    await notJson.server.close();

    const notArray = await setUp({ forcedStatus: 200, forcedBody: () => '{"data":[]}' });
    expect(await failure(collect(notArray.client.listCommissions({ page: 1, perPage: 10 })))).toMatchObject({ code: 'bad-response' });
    await notArray.server.close();

    const sameAgain = await setUp({ forcedStatus: 200, forcedBody: () => '[{"id":1},{"id":2}]' });
    expect(await failure(collect(sameAgain.client.listCommissions({ page: 1, perPage: 2 })))).toMatchObject({ code: 'bad-response' });
  });
});
