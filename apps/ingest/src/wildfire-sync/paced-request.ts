import { backoffDelayMs } from '@earnings/domain';
import { WildfireApiError } from '@earnings/sources';
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { ApiPacer } from './api-pacer';

const retryBackoff = { firstMs: 1_000, maxMs: 60_000, jitter: true };

export interface PacedRequestOptions {
  /** Shared by every Wildfire API call of the application: Wildfire counts them together. */
  pacer: ApiPacer;
  /** Total time one request may spend in retries before it fails loudly. */
  retryBudgetMs: number;
  stopping: AbortSignal;
  logger: Logger;
  /** Counts retries by error code. */
  retries: Counter<string>;
  /** Names the request in log lines: `commission page`, `merchant lookup`. */
  what: string;
}

/**
 * One Wildfire API request at Wildfire's pace: each attempt waits its turn (one request per 5 s
 * across restarts and replicas), and timeouts, 5xx, 429 and malformed pages are retried with
 * exponential backoff and jitter until the budget is spent.
 */
export async function pacedRequest<T>(request: (now: Date) => Promise<T>, options: PacedRequestOptions): Promise<T> {
  const deadline = Date.now() + options.retryBudgetMs;
  for (let attempt = 0; ; attempt += 1) {
    options.stopping.throwIfAborted();
    await options.pacer.waitForTurn();
    try {
      return await request(new Date());
    } catch (error) {
      const delayMs = backoffDelayMs(attempt + 1, retryBackoff);
      if (!(error instanceof WildfireApiError) || !error.retryable || Date.now() + delayMs > deadline) throw error;
      options.retries.inc({ code: error.code });
      options.logger.warn({ code: error.code, attempt, delayMs, request: options.what }, 'wildfire API request failed; backing off');
      await sleep(delayMs, options.stopping);
    }
  }
}

/** Waits, or rejects at once when `signal` aborts (shutdown). */
export function sleep(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('stopped for shutdown'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('stopped for shutdown'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
