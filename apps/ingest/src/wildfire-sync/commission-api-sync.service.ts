import { CommissionObserved } from '@earnings/contracts';
import { canonicalTimestamp, fromEpochMicros, normaliseWildfireCommission, toEpochMicros, WildfireNormaliseContext } from '@earnings/domain';
import { CommissionPage, CommissionPageQuery, WildfireCommissionApiClient } from '@earnings/sources';
import { Metrics } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { withAdvisoryLock } from '@earnings/persistence';
import { WildfirePublisher, WildfireRecord } from '../wildfire/wildfire-publisher';
import { ApiPacer } from './api-pacer';
import { pacedRequest } from './paced-request';
import { SyncProgressLog, WindowProgress } from './sync-progress';
import { SyncResumePointRepository } from './sync-resume-point.repository';
import { SyncWatermarkRepository } from './sync-watermark.repository';

export const WILDFIRE_COMMISSIONS_WATERMARK = 'wildfire-commissions';

export interface CommissionApiSyncOptions {
  apiVersion: 'v2' | 'v3' | 'v4';
  overlapMs: number;
  /** Where the very first window starts when there is no watermark yet: by default the application's whole history. */
  initialStart: string;
  /** Total time one page may spend in retries before the run fails loudly. */
  retryBudgetMs: number;
  /** A window holding more pages than this is cut off: a bound on a runaway cursor. */
  pagesPerWindowMax: number;
  /** How often a pull logs how far it got. */
  progressLogIntervalMs: number;
  normalise: Omit<WildfireNormaliseContext, 'observedAt'>;
}

export type WindowOutcome = WindowProgress;

/** Where an unfinished scheduled window resumes; a backfill or reconcile keeps none. */
interface ResumeTarget {
  repository: SyncResumePointRepository;
  windowStart: string;
}

/**
 * The Commission API is Wildfire's system of record; callbacks are best effort. Each run pulls
 * the modified-date window from the watermark (minus an overlap, so nothing falls between
 * windows) to now, page by page, and moves the watermark only after every page is in Kafka.
 * Pages come sorted by modified date, so after each page the run notes the date it reached: a
 * crash or a stop mid-window resumes from there (the first run pulls years of history), and the
 * ledger drops the few versions it already has.
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
    private readonly resumePoints: SyncResumePointRepository,
    private readonly publisher: WildfirePublisher,
    private readonly dataSource: DataSource,
    private readonly options: CommissionApiSyncOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.runs = metrics.counter('wildfire_sync_runs_total', 'Commission API sync runs by outcome', ['outcome']);
    this.pagesFetched = metrics.counter('wildfire_sync_pages_total', 'Commission API pages fetched and published');
    this.retries = metrics.counter('wildfire_sync_retries_total', 'Wildfire API requests retried, by error code', ['code']);
    this.recordsRefused = metrics.counter('wildfire_sync_records_refused_total', 'Commission API records whose money fields break the input rules, skipped, by error code', ['code']);
  }

  /** Stops a run between pages; the watermark stays where it was and the resume point says where the next run goes on. */
  requestStop(): void {
    this.stopping.abort();
  }

  /** The scheduled run: from the watermark (or where an unfinished window stopped) to now. Returns null when another run holds the lock. */
  async syncToNow(now: Date): Promise<WindowOutcome | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const outcome = await withAdvisoryLock(this.dataSource, 'wildfire-commission-sync', () => this.pullToNow(now));
      if (outcome === null) return null;
      this.runs.inc({ outcome: 'succeeded' });
      this.logger.info(outcome, 'wildfire commission sync finished; watermark moved');
      return outcome;
    } catch (error) {
      this.runs.inc({ outcome: 'failed' });
      this.logger.error({ err: error }, 'wildfire commission sync failed; the watermark did not move and the next run resumes where this one stopped');
      throw error;
    } finally {
      this.running = false;
    }
  }

  private async pullToNow(now: Date): Promise<WindowOutcome> {
    const resume = await this.resumePoints.of(WILDFIRE_COMMISSIONS_WATERMARK);
    const syncedThrough = await this.watermarks.syncedThrough(WILDFIRE_COMMISSIONS_WATERMARK);
    const windowStart = resume?.windowStart ?? (syncedThrough === null ? canonicalTimestamp(this.options.initialStart) : fromEpochMicros(toEpochMicros(syncedThrough) - BigInt(this.options.overlapMs) * 1000n));
    const end = canonicalTimestamp(now.toISOString());
    const kind = resume !== null ? 'resuming an unfinished window' : syncedThrough === null ? 'first sync: from WILDFIRE_SYNC_INITIAL_START (default: the whole history)' : 'from the watermark';
    const outcome = await this.pullWindow(resume?.resumeFrom ?? windowStart, end, { kind, resume: { repository: this.resumePoints, windowStart }, done: resume });
    await this.watermarks.advance(WILDFIRE_COMMISSIONS_WATERMARK, end);
    await this.resumePoints.clear(WILDFIRE_COMMISSIONS_WATERMARK);
    return { ...outcome, start: windowStart };
  }

  /**
   * Pulls one window to the end and publishes every page; used by the schedule, the backfill
   * command and reconcile. Logs its progress every few seconds.
   */
  async pullWindow(start: string, end: string, run: { kind?: string; resume?: ResumeTarget; done?: { pages: number; records: number } | null } = {}): Promise<WindowOutcome> {
    const progress: WindowProgress = { start, end, pages: run.done?.pages ?? 0, observations: run.done?.records ?? 0, invalidRecords: 0, modifiedDateReached: null };
    const progressLog = new SyncProgressLog(progress, this.logger, this.options.progressLogIntervalMs);
    progressLog.start('wildfire commission sync started', { kind: run.kind ?? 'a given window' });
    try {
      let cursor: string | null = null;
      let pagesThisRun = 0;
      do {
        this.stopping.signal.throwIfAborted();
        const page = await this.fetch({ startModifiedDate: start, endModifiedDate: end, cursor });
        await this.publishPage(page, progress);
        pagesThisRun += 1;
        if (run.resume && progress.modifiedDateReached !== null) await this.saveResumePoint(run.resume, progress);
        cursor = page.nextCursor;
      } while (cursor !== null && pagesThisRun < this.options.pagesPerWindowMax);
      if (cursor !== null) throw new Error(`window ${start}..${end} has more than ${this.options.pagesPerWindowMax} pages; raise WILDFIRE_SYNC_PAGES_PER_WINDOW_MAX or shorten the window`);
      return progress;
    } finally {
      progressLog.stop();
    }
  }

  private fetch(query: CommissionPageQuery): Promise<CommissionPage> {
    return pacedRequest((now) => this.client.fetchPage(query, now), {
      pacer: this.pacer, retryBudgetMs: this.options.retryBudgetMs, stopping: this.stopping.signal, logger: this.logger, retries: this.retries, what: 'commission page',
    });
  }

  private async publishPage(page: CommissionPage, progress: WindowProgress): Promise<void> {
    const records = this.normalisePage(page, progress);
    const url = new URL(page.url);
    await this.publisher.publish({ source: 'wildfire', endpoint: url.pathname + url.search, deliveryId: null, receivedAt: new Date().toISOString(), headers: {}, body: Buffer.from(page.body) }, records);
    this.pagesFetched.inc();
    progress.pages += 1;
    progress.observations += records.length;
    progress.modifiedDateReached = latestModifiedDate(records.map((record) => record.observation), progress.modifiedDateReached);
  }

  /** After the page is in Kafka: a restart pulls from the date reached (inclusive: a version sharing it is pulled again, never skipped). */
  private async saveResumePoint(resume: ResumeTarget, progress: WindowProgress): Promise<void> {
    await resume.repository.save(WILDFIRE_COMMISSIONS_WATERMARK, {
      windowStart: resume.windowStart, resumeFrom: progress.modifiedDateReached as string, pages: progress.pages, records: progress.observations,
    });
  }

  private normalisePage(page: CommissionPage, progress: WindowProgress): WildfireRecord[] {
    const records: WildfireRecord[] = [];
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
      if (result.kind === 'commission') records.push({ observation: result.observation, cleanings: result.cleanings });
      else {
        // Only the money's own fields refuse. Skipped, not fatal: a run that failed on it would fail forever and no
        // watermark would move. The record stays in raw-inbound with its page; an operator fixes the cause and backfills the range.
        progress.invalidRecords += 1;
        this.recordsRefused.inc({ code: result.code });
        this.logger.error({ code: result.code, field: result.field, problem: result.message }, 'wildfire API record refused; skipped, the rest of the page is published');
      }
    });
    return records;
  }
}

function latestModifiedDate(observations: readonly CommissionObserved[], previous: string | null): string | null {
  // Canonical timestamps (six fractional digits, UTC) order as text.
  return observations.reduce<string | null>((latest, observation) => (latest === null || observation.modifiedDate > latest ? observation.modifiedDate : latest), previous);
}
