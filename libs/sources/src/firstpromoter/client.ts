import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs } from '@earnings/domain';
import { readBatch, settleBatch } from './batch';
import { FirstPromoterApiError } from './errors';
import { HttpRequest, HttpSettings, requestJson } from './http';
import {
  FIRSTPROMOTER_API_BASE_URL,
  FirstPromoterApiCommission,
  FirstPromoterApiConfig,
  FirstPromoterApiPromoter,
  FirstPromoterBatch,
  FirstPromoterBatchResult,
  ListCommissionsQuery,
} from './types';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_BATCH_POLL_INTERVAL_MS = 1_000;
const DEFAULT_BATCH_POLL_ATTEMPTS = 8;
const BATCH_POLL_INTERVAL_MS_MAX = 30_000;
const PER_PAGE_MAX = 100;

export type CommissionAction = 'approve' | 'deny' | 'mark_fulfilled' | 'mark_unfulfilled';

/**
 * FirstPromoter admin API v2, the parts the ledger uses: list commissions, and the four batch
 * actions. No retries here: a caller that gets a retryable error decides when to try again
 * (the account allows 400 requests per minute).
 */
export class FirstPromoterApiClient {
  // A private field, so logging the client object does not print the key.
  readonly #http: HttpSettings;
  readonly #pollIntervalMs: number;
  readonly #pollAttemptsMax: number;

  constructor(config: FirstPromoterApiConfig) {
    this.#http = {
      baseUrl: (config.baseUrl ?? FIRSTPROMOTER_API_BASE_URL).replace(/\/+$/, ''),
      apiKey: config.apiKey,
      accountId: config.accountId,
      requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    };
    this.#pollIntervalMs = config.batchPollIntervalMsInitial ?? DEFAULT_BATCH_POLL_INTERVAL_MS;
    this.#pollAttemptsMax = config.batchPollAttemptsMax ?? DEFAULT_BATCH_POLL_ATTEMPTS;
  }

  /** Every commission from `page` to the last page. The API answers a bare array; a short page is the last. */
  async *listCommissions(query: ListCommissionsQuery): AsyncGenerator<FirstPromoterApiCommission> {
    checkPaging(query);
    let previousPage = '';
    for (let page = query.page; ; page += 1) {
      const items = await this.#commissionPage(query, page);
      const fingerprint = JSON.stringify(items);
      // A server that ignores `page` would otherwise be read forever.
      if (items.length > 0 && fingerprint === previousPage) throw new FirstPromoterApiError('bad-response', `FirstPromoter GET /commissions returned page ${page} twice`);
      previousPage = fingerprint;
      for (const item of items) if (query.unit === undefined || unitOf(item) === query.unit) yield item;
      if (items.length < query.perPage) return;
    }
  }

  approve(ids: readonly (string | number)[]): Promise<FirstPromoterBatchResult> {
    return this.#runAction('approve', ids);
  }

  deny(ids: readonly (string | number)[]): Promise<FirstPromoterBatchResult> {
    return this.#runAction('deny', ids);
  }

  /** Non-monetary rewards: the partner delivered them. */
  markFulfilled(ids: readonly (string | number)[]): Promise<FirstPromoterBatchResult> {
    return this.#runAction('mark_fulfilled', ids);
  }

  /** The delivery was reversed: FirstPromoter moves the payout back to pending. */
  markUnfulfilled(ids: readonly (string | number)[]): Promise<FirstPromoterBatchResult> {
    return this.#runAction('mark_unfulfilled', ids);
  }

  /**
   * Posts one action and returns what FirstPromoter answered at once: a finished batch, or the id
   * of the batch process still running (more than 5 ids), for the caller to follow with
   * `batchProcess` on its own schedule, never posting the same ids again meanwhile.
   */
  async startAction(action: CommissionAction, ids: readonly (string | number)[]): Promise<FirstPromoterBatch> {
    const label = `FirstPromoter POST /commissions/${action}`;
    return readBatch(await this.#request({ method: 'POST', path: `/commissions/${action}`, body: { ids: commissionIds(ids) } }), label, this.#http.apiKey);
  }

  /** One look at a batch process (GET /batch_processes/{id}). */
  async batchProcess(batchId: number): Promise<FirstPromoterBatch> {
    const label = `FirstPromoter GET /batch_processes/${batchId}`;
    return readBatch(await this.#request({ method: 'GET', path: `/batch_processes/${batchId}` }), label, this.#http.apiKey);
  }

  /**
   * The promoter record (GET /promoters/{id}): its `cust_id` is the partner's user id, which the
   * API's commissions do not carry. Null when FirstPromoter knows no such promoter.
   */
  async promoter(promoterId: string): Promise<FirstPromoterApiPromoter | null> {
    if (!/^[0-9]{1,15}$/.test(promoterId)) throw new FirstPromoterApiError('invalid-argument', 'a promoter id is a positive integer');
    try {
      const body = await this.#request({ method: 'GET', path: `/promoters/${promoterId}` });
      if (!isObject(body)) throw new FirstPromoterApiError('bad-response', 'FirstPromoter GET /promoters/{id} did not answer an object');
      return body;
    } catch (error) {
      if (error instanceof FirstPromoterApiError && error.code === 'not-found') return null;
      throw error;
    }
  }

  async #commissionPage(query: ListCommissionsQuery, page: number): Promise<FirstPromoterApiCommission[]> {
    const params = new URLSearchParams({ page: String(page), per_page: String(query.perPage) });
    if (query.status !== undefined) params.set('filters[status]', query.status);
    const body = await this.#request({ method: 'GET', path: '/commissions', query: params });
    if (!Array.isArray(body) || !body.every(isObject)) {
      throw new FirstPromoterApiError('bad-response', 'FirstPromoter GET /commissions did not answer an array of commissions');
    }
    return body;
  }

  /** POST `{ ids }`; up to 5 ids finish at once, more run as a batch process that is polled to the end. */
  async #runAction(action: CommissionAction, ids: readonly (string | number)[]): Promise<FirstPromoterBatchResult> {
    const label = `FirstPromoter POST /commissions/${action}`;
    const body = { ids: commissionIds(ids) };
    const answer = await this.#request({ method: 'POST', path: `/commissions/${action}`, body });
    const outcome = settleBatch(readBatch(answer, label, this.#http.apiKey), 0, label);
    return outcome.settled ? outcome.result : this.#pollBatch(outcome.batchId, label);
  }

  /** GET /batch_processes/{id} with exponential backoff, a bounded number of times. */
  async #pollBatch(batchId: number, label: string): Promise<FirstPromoterBatchResult> {
    for (let attempt = 1; attempt <= this.#pollAttemptsMax; attempt += 1) {
      await sleep(this.#pollDelayMs(attempt));
      const answer = await this.#request({ method: 'GET', path: `/batch_processes/${batchId}` });
      const outcome = settleBatch(readBatch(answer, label, this.#http.apiKey), attempt, label);
      if (outcome.settled) return outcome.result;
    }
    throw new FirstPromoterApiError(
      'batch-poll-exhausted',
      `${label}: batch ${batchId} still running after ${this.#pollAttemptsMax} polls; its commission.updated webhooks will still report the outcome`,
      { batchId },
    );
  }

  #pollDelayMs(attempt: number): number {
    return backoffDelayMs(attempt, { firstMs: this.#pollIntervalMs, maxMs: BATCH_POLL_INTERVAL_MS_MAX });
  }

  #request(request: HttpRequest): Promise<unknown> {
    return requestJson(this.#http, request);
  }
}

function checkPaging(query: ListCommissionsQuery): void {
  if (!Number.isSafeInteger(query.page) || query.page < 1) throw new FirstPromoterApiError('invalid-argument', 'page must be an integer of at least 1');
  if (!Number.isSafeInteger(query.perPage) || query.perPage < 1 || query.perPage > PER_PAGE_MAX) {
    throw new FirstPromoterApiError('invalid-argument', `perPage must be an integer from 1 to ${PER_PAGE_MAX}`);
  }
}

/** The API takes integer ids (BatchActionRequest.ids); the ledger keeps them as strings. */
function commissionIds(ids: readonly (string | number)[]): number[] {
  if (ids.length === 0) throw new FirstPromoterApiError('invalid-argument', 'at least one commission id is required');
  return ids.map((id) => {
    const text = String(id).trim();
    const value = Number(text);
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value)) {
      throw new FirstPromoterApiError('invalid-argument', 'commission ids must be positive integers (a legacy "fulfilment:" id is not a commission id)');
    }
    return value;
  });
}

const isObject = (value: unknown): value is FirstPromoterApiCommission => typeof value === 'object' && value !== null && !Array.isArray(value);
const unitOf = (item: FirstPromoterApiCommission): string | null => (typeof item.unit === 'string' ? item.unit.toLowerCase() : null);
