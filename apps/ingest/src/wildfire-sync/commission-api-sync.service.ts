import { CommissionObserved } from '@earnings/contracts';
import { canonicalTimestamp, fromEpochMicros, normaliseWildfireCommission, toEpochMicros, WildfireNormaliseContext } from '@earnings/domain';
import { backoffDelayMs, CommissionPage, CommissionPageQuery, WildfireApiError, WildfireCommissionApiClient } from '@earnings/sources';
import { Metrics } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { ApiPacer } from './api-pacer';
import { SyncWatermarkRepository } from './sync-watermark.repository';

export const WILDFIRE_COMMISSIONS_WATERMARK = 'wildfire-commissions';

export interface CommissionApiSyncOptions {
  apiVersion: 'v2' | 'v3' | 'v4';
  overlapMs: number;
  /** Where the very first window starts when there is no watermark yet. */
  initialStart: string;
  /** Total time one page may spend in retries before the run fails loudly. */
  retryBudgetMs: number;
  /** A window holding more pages than this is cut off: a bound on a runaway cursor. */
  pagesPerWindowMax: number;
  normalise: Omit<WildfireNormaliseContext, 'observedAt'>;
}

export interface WindowOutcome {
  start: string;
  end: string;
  pages: number;
  observations: number;
  invalidRecords: number;
}

const retryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * The Commission API is Wildfire's system of record; callbacks are best effort. Each run pulls
 * the modified-date window from the watermark (minus an overlap, so nothing falls between
 * windows) to now, page by page, and moves the watermark only after every page is in Kafka.
 * A crash mid-window re-pulls the window; the ledger drops what it already has.
 */
export class CommissionApiSyncService {
  private running = false;
  private readonly stopping = new AbortController();
  private readonly runs;
  private readonly pagesFetched;
  private readonly retries;
  private readonly recordsRefused;

  constructor(
    private readonly client: WildfireCommissionApiClient,
    private readonly pacer: ApiPacer,
    private readonly watermarks: SyncWatermarkRepository,
    private readonly publisher: InboundPublisher,
    private readonly dataSource: DataSource,
    private readonly options: CommissionApiSyncOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.runs = metrics.counter('wildfire_sync_runs_total', 'Commission API sync runs by outcome', ['outcome']);
    this.pagesFetched = metrics.counter('wildfire_sync_pages_total', 'Commission API pages fetched and published');
    this.retries = metrics.counter('wildfire_sync_retries_total', 'Commission API requests retried, by error code', ['code']);
    this.recordsRefused = metrics.counter('wildfire_sync_records_refused_total', 'Commission API records that break the input rules, skipped, by error code', ['code']);
  }

  /** Stops a run between pages; the watermark stays where it was, so the next run re-pulls the window. */
  requestStop(): void {
    this.stopping.abort();
  }

  /** The scheduled run: from the watermark to now. Returns null when another run holds the lock. */
  async syncToNow(now: Date): Promise<WindowOutcome | null> {
    if (this.running) return null;
    this.running = true;
    const lock = this.dataSource.createQueryRunner();
    try {
      await lock.connect();
      // One sync at a time across replicas; a second one would only double the API calls.
      const [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock(hashtext('wildfire-commission-sync')) AS locked`);
      if (!locked) return null;
      try {
        const syncedThrough = await this.watermarks.syncedThrough(WILDFIRE_COMMISSIONS_WATERMARK);
        const start = syncedThrough === null ? canonicalTimestamp(this.options.initialStart) : fromEpochMicros(toEpochMicros(syncedThrough) - BigInt(this.options.overlapMs) * 1000n);
        const end = canonicalTimestamp(now.toISOString());
        const outcome = await this.pullWindow(start, end);
        await this.watermarks.advance(WILDFIRE_COMMISSIONS_WATERMARK, end);
        this.runs.inc({ outcome: 'succeeded' });
        this.logger.info(outcome, 'wildfire commission sync finished; watermark moved');
        return outcome;
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtext('wildfire-commission-sync'))`);
      }
    } catch (error) {
      this.runs.inc({ outcome: 'failed' });
      this.logger.error({ err: error }, 'wildfire commission sync failed; the watermark did not move and the next run resumes from it');
      throw error;
    } finally {
      this.running = false;
      await lock.release();
    }
  }

  /** Pulls one window to the end and publishes every page; used by the schedule and the backfill command. */
  async pullWindow(start: string, end: string): Promise<WindowOutcome> {
    const outcome: WindowOutcome = { start, end, pages: 0, observations: 0, invalidRecords: 0 };
    let cursor: string | null = null;
    do {
      this.stopping.signal.throwIfAborted();
      const page = await this.fetchWithRetry({ startModifiedDate: start, endModifiedDate: end, cursor });
      const observations = this.normalisePage(page, outcome);
      await this.publisher.publish(
        { source: 'wildfire', endpoint: new URL(page.url).pathname + new URL(page.url).search, deliveryId: null, receivedAt: new Date().toISOString(), headers: {}, body: Buffer.from(page.body) },
        observations,
      );
      this.pagesFetched.inc();
      outcome.pages += 1;
      outcome.observations += observations.length;
      cursor = page.nextCursor;
    } while (cursor !== null && outcome.pages < this.options.pagesPerWindowMax);
    if (cursor !== null) throw new Error(`window ${start}..${end} has more than ${this.options.pagesPerWindowMax} pages; raise WILDFIRE_SYNC_PAGES_PER_WINDOW_MAX or shorten the window`);
    return outcome;
  }

  private normalisePage(page: CommissionPage, outcome: WindowOutcome): CommissionObserved[] {
    const observations: CommissionObserved[] = [];
    const observedAt = new Date().toISOString();
    page.records.forEach((record, index) => {
      const result = normaliseWildfireCommission(record, {
        ...this.options.normalise,
        observedAt,
        channel: 'api',
        apiVersion: this.options.apiVersion,
        deliveryId: null,
        fieldPath: `Commissions[${index}]`,
      });
      if (result.kind === 'commission') observations.push(result.observation);
      else {
        // Skipped, not fatal: a run that failed on it would fail forever and no watermark would move. The record
        // stays in raw-inbound with its page; an operator fixes the cause and backfills the range.
        outcome.invalidRecords += 1;
        this.recordsRefused.inc({ code: result.code });
        this.logger.error({ code: result.code, field: result.field, problem: result.message }, 'wildfire API record refused; skipped, the rest of the page is published');
      }
    });
    return observations;
  }

  private async fetchWithRetry(query: CommissionPageQuery): Promise<CommissionPage> {
    const deadline = Date.now() + this.options.retryBudgetMs;
    for (let attempt = 0; ; attempt += 1) {
      await this.pacer.waitForTurn();
      try {
        return await this.client.fetchPage(query, new Date());
      } catch (error) {
        const delayMs = backoffDelayMs(attempt, retryPolicy, Math.random());
        if (!(error instanceof WildfireApiError) || !error.retryable || Date.now() + delayMs > deadline) throw error;
        this.retries.inc({ code: error.code });
        this.logger.warn({ code: error.code, attempt, delayMs }, 'wildfire API request failed; backing off');
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }
}

function sleep(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, delayMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('sync stopped for shutdown'));
    }, { once: true });
  });
}
