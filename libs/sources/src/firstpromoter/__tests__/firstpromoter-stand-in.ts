import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A small FirstPromoter admin API v2 on 127.0.0.1, speaking the published protocol: Bearer key
 * and Account-ID on every call, bare-array pages (`page`, `per_page`, `filters[status]`), batch
 * actions taking `{ ids }` that finish at once for up to 5 ids and otherwise run as a batch
 * process polled at GET /batch_processes/{id}.
 */
export interface StandInOptions {
  apiKey: string;
  accountId: string;
  commissions?: Record<string, unknown>[];
  /** First status of an asynchronous batch (the docs say `in_progress`, the schema `pending`). */
  batchInitialStatus?: 'pending' | 'in_progress';
  /** Polls answered `in_progress` before the final one. */
  batchPollsBeforeDone?: number;
  batchFinalStatus?: 'completed' | 'failed' | 'stopped' | 'never';
  batchFailedCount?: number;
  /** Answer every request with this status and body instead. */
  forcedStatus?: number;
  forcedBody?: (request: IncomingMessage) => string;
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
}

export interface StandIn {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const PREFIX = '/api/v2/company';
const ACTIONS = new Set(['approve', 'deny', 'mark_fulfilled', 'mark_unfulfilled']);

interface Batch {
  id: number;
  total: number;
  polls: number;
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const batches = new Map<number, Batch>();
  let nextBatchId = 700;

  const server = createServer((request, response) => {
    void readJson(request).then(async (body) => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      requests.push({ method: request.method ?? '', path: url.pathname, query: url.searchParams, headers: request.headers, body, at: Date.now() });
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (options.forcedStatus) return send(response, options.forcedStatus, options.forcedBody?.(request) ?? '{}');
      const refusal = authProblem(request, options);
      if (refusal) return send(response, refusal.status, JSON.stringify(refusal.body));
      route(request.method ?? '', url, body, response);
    });
  });

  function route(method: string, url: URL, body: unknown, response: ServerResponse): void {
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : '';
    const action = /^\/commissions\/([a-z_]+)$/.exec(path)?.[1];
    const batchId = /^\/batch_processes\/([0-9]+)$/.exec(path)?.[1];
    if (method === 'GET' && path === '/commissions') return send(response, 200, JSON.stringify(listPage(url.searchParams)));
    if (method === 'POST' && action && ACTIONS.has(action)) return startAction(body, response);
    if (method === 'GET' && batchId) return pollBatch(Number(batchId), response);
    send(response, 404, JSON.stringify({ message: 'Not found', code: 'not_found' }));
  }

  function listPage(query: URLSearchParams): unknown[] {
    const page = Number(query.get('page') ?? '1');
    const perPage = Math.min(Number(query.get('per_page') ?? '20'), 100);
    const status = query.get('filters[status]');
    const matching = (options.commissions ?? []).filter((item) => status === null || item.status === status);
    return matching.slice((page - 1) * perPage, page * perPage);
  }

  function startAction(body: unknown, response: ServerResponse): void {
    const ids = (body as { ids?: unknown } | null)?.ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every(Number.isInteger)) {
      return send(response, 422, JSON.stringify({ message: 'ids must be an array of integers', code: 'invalid' }));
    }
    if (ids.length <= 5) return send(response, 200, JSON.stringify(batchBody(null, 'completed', ids.length, 0)));
    const batch = { id: nextBatchId++, total: ids.length, polls: 0 };
    batches.set(batch.id, batch);
    send(response, 202, JSON.stringify(batchBody(batch.id, options.batchInitialStatus ?? 'in_progress', batch.total, 0)));
  }

  function pollBatch(id: number, response: ServerResponse): void {
    const batch = batches.get(id);
    if (!batch) return send(response, 404, JSON.stringify({ message: 'Batch not found', code: 'not_found' }));
    batch.polls += 1;
    const final = options.batchFinalStatus ?? 'completed';
    const done = final !== 'never' && batch.polls > (options.batchPollsBeforeDone ?? 1);
    const status = done ? final : 'in_progress';
    send(response, 200, JSON.stringify(batchBody(batch.id, status, batch.total, done ? options.batchFailedCount ?? 0 : 0)));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}${PREFIX}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function authProblem(request: IncomingMessage, options: StandInOptions): { status: number; body: unknown } | null {
  if (request.headers.authorization !== `Bearer ${options.apiKey}`) return { status: 401, body: { message: 'Unauthenticated', code: 'unauthenticated' } };
  if (request.headers['account-id'] !== options.accountId) return { status: 403, body: { message: 'Invalid account', code: 'forbidden' } };
  if (request.method === 'POST' && request.headers['content-type'] !== 'application/json') return { status: 422, body: { message: 'JSON expected' } };
  return null;
}

function batchBody(id: number | null, status: string, total: number, failed: number): Record<string, unknown> {
  const finished = status === 'completed' || status === 'failed';
  return {
    id,
    status,
    total,
    selected_total: total,
    processed_count: finished ? total - failed : 0,
    failed_count: failed,
    action_label: 'commission/approve',
    progress: finished ? 100 : 0,
    processing_errors: failed > 0 ? ['Commission 4 is already paid'] : [],
  };
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? null : JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
  });
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body);
}
