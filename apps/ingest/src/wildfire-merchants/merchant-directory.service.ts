import { merchantIdsToLookUp, readWildfireMerchant, WildfireMerchant } from '@earnings/domain';
import { Metrics, Recurring } from '@earnings/service-shell';
import { merchantIdsPerLookupMax, MerchantPage, WildfireMerchantApiClient } from '@earnings/sources';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { withAdvisoryLock } from '@earnings/persistence';
import { ApiPacer } from '../wildfire-sync/api-pacer';
import { pacedRequest } from '../wildfire-sync/paced-request';
import { MerchantSightings } from '../wildfire/wildfire-publisher';
import { MerchantDirectoryRepository } from './merchant-directory.repository';

export const WILDFIRE_MERCHANT_LIST = 'wildfire-merchants';

export interface MerchantDirectoryOptions {
  /** How often the whole list is read; 0: never (lookups by id only). */
  listIntervalHours: number;
  retryBudgetMs: number;
  /** A bound on a runaway cursor: 10,000 pages of 500 are far beyond Wildfire's merchant count. */
  listPagesMax: number;
  /** How often the lookup looks for merchants another process noted, when nothing woke it. */
  sweepIntervalMs: number;
  /** A new sighting waits this long, so the merchants of a burst of callbacks share one request. */
  batchDelayMs: number;
}

export const defaultMerchantDirectoryOptions: Omit<MerchantDirectoryOptions, 'listIntervalHours' | 'retryBudgetMs'> = {
  listPagesMax: 10_000,
  sweepIntervalMs: 60_000,
  batchDelayMs: 500,
};

/** Lookups per pass at most: 100 requests of 100 ids, about 8 minutes at Wildfire's pace; the next pass goes on. */
const lookupRequestsPerPassMax = 100;
/** Ids this process remembers as already in the directory, so a callback costs no SQL for a known merchant. */
const knownMerchantIdsMax = 100_000;

export interface MerchantPassOutcome {
  requests: number;
  described: number;
  /** Asked for and not described by Wildfire: asked again in a day. */
  notDescribed: number;
}

/**
 * The Wildfire merchant directory: a commission carries only its MerchantID, users recognise a
 * store by its name and logo. Merchants seen on commissions are looked up by id soon after (up to
 * 100 per request), and the whole list of enabled merchants is read daily, every request at
 * Wildfire's pace on the pacer the Commission API sync uses.
 */
export class MerchantDirectoryService implements MerchantSightings {
  private readonly known = new Set<string>();
  private readonly stopping = new AbortController();
  private lookups: Recurring | null = null;
  private readonly requests;
  private readonly merchantsDescribed;

  constructor(
    private readonly client: WildfireMerchantApiClient | null,
    private readonly pacer: ApiPacer,
    private readonly repository: MerchantDirectoryRepository,
    private readonly dataSource: DataSource,
    private readonly options: MerchantDirectoryOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.requests = metrics.counter('wildfire_merchant_requests_total', 'Wildfire merchant API requests by kind (lookup, list) and outcome', ['kind', 'outcome']);
    this.merchantsDescribed = metrics.counter('wildfire_merchants_described_total', 'Merchants whose name and logo the directory stored, by kind of request', ['kind']);
  }

  /** Notes merchant ids seen on commissions; unknown ones are looked up soon. Costs no SQL for merchants already noted. */
  async noteSeen(merchantIds: readonly (string | null)[]): Promise<void> {
    const fresh = merchantIdsToLookUp(merchantIds).filter((id) => !this.known.has(id));
    if (fresh.length === 0) return;
    await this.repository.noteSeen(fresh);
    if (this.known.size + fresh.length > knownMerchantIdsMax) this.known.clear();
    fresh.forEach((id) => this.known.add(id));
    this.lookups?.wake();
  }

  /** Starts looking up what is noted, until stop(). Without the API (no base URL) nothing is looked up. */
  startLookups(): void {
    if (this.client === null || this.lookups !== null) return;
    // Soon after a sighting wakes it (a short wait batches the burst), else every sweep interval.
    this.lookups = new Recurring({ name: 'wildfire merchant lookups', intervalMs: this.options.sweepIntervalMs, wakeDelayMs: this.options.batchDelayMs, logger: this.logger }, () => this.lookupPass());
    this.lookups.start();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.lookups?.stop();
  }

  /** One pass over the merchants seen and not described, 100 per request; null when another process is at it. */
  async describeSeenMerchants(): Promise<MerchantPassOutcome | null> {
    const client = this.requireClient();
    return withAdvisoryLock(this.dataSource, 'wildfire-merchant-lookup', async () => {
      const outcome: MerchantPassOutcome = { requests: 0, described: 0, notDescribed: 0 };
      while (outcome.requests < lookupRequestsPerPassMax && !this.stopping.signal.aborted) {
        const wanted = await this.repository.toDescribe(merchantIdsPerLookupMax);
        if (wanted.length === 0) break;
        const page = await this.request('lookup', (now) => client.fetchByIds(wanted, now));
        const merchants = this.readPage(page, 'lookup');
        await this.repository.describe(merchants);
        await this.repository.markLookedUp(wanted);
        const described = new Set(merchants.map((merchant) => merchant.merchantId));
        outcome.requests += 1;
        outcome.described += merchants.length;
        outcome.notDescribed += wanted.filter((id) => !described.has(id)).length;
      }
      if (outcome.requests > 0) this.logger.info(outcome, 'wildfire merchants looked up');
      return outcome;
    });
  }

  /** The daily read of the whole list, when it is due (never read, or read longer ago than the interval). */
  async syncListIfDue(now: Date): Promise<{ pages: number; merchants: number } | null> {
    if (this.options.listIntervalHours === 0 || this.client === null) return null;
    const readAt = await this.repository.listReadAt(WILDFIRE_MERCHANT_LIST);
    if (readAt !== null && now.getTime() - readAt.getTime() < this.options.listIntervalHours * 3_600_000) return null;
    return this.syncList();
  }

  /** Reads every enabled merchant, page by page (500 a page), storing each page as it comes. */
  async syncList(): Promise<{ pages: number; merchants: number } | null> {
    const client = this.requireClient();
    return withAdvisoryLock(this.dataSource, 'wildfire-merchant-list', async () => {
      const outcome = { pages: 0, merchants: 0 };
      this.logger.info('wildfire merchant list sync started');
      let cursor: string | null = null;
      do {
        const page: MerchantPage = await this.request('list', (now) => client.fetchListPage(cursor, now));
        const merchants = this.readPage(page, 'list');
        await this.repository.describe(merchants);
        outcome.pages += 1;
        outcome.merchants += merchants.length;
        cursor = page.nextCursor;
      } while (cursor !== null && outcome.pages < this.options.listPagesMax && !this.stopping.signal.aborted);
      if (cursor !== null) throw new Error(`the merchant list did not end within ${this.options.listPagesMax} pages (or ingest is stopping); it is read again from the start next time`);
      await this.repository.listRead(WILDFIRE_MERCHANT_LIST);
      this.logger.info(outcome, 'wildfire merchant list sync finished');
      return outcome;
    });
  }

  /** One lookup pass; a failure is logged here (the merchants stay shown by id) and the next pass tries again. */
  private async lookupPass(): Promise<void> {
    try {
      await this.describeSeenMerchants();
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      this.logger.warn({ err: error }, 'wildfire merchant lookup failed; the merchants stay shown by id and are asked for again at the next pass');
    }
  }

  private async request(kind: 'lookup' | 'list', call: (now: Date) => Promise<MerchantPage>): Promise<MerchantPage> {
    try {
      const page = await pacedRequest(call, {
        pacer: this.pacer, retryBudgetMs: this.options.retryBudgetMs, stopping: this.stopping.signal, logger: this.logger,
        retries: this.metrics.counter('wildfire_sync_retries_total', 'Wildfire API requests retried, by error code', ['code']), what: `merchant ${kind}`,
      });
      this.requests.inc({ kind, outcome: 'succeeded' });
      return page;
    } catch (error) {
      this.requests.inc({ kind, outcome: 'failed' });
      throw error;
    }
  }

  private readPage(page: MerchantPage, kind: 'lookup' | 'list'): WildfireMerchant[] {
    const merchants = page.records.map(readWildfireMerchant).filter((merchant): merchant is WildfireMerchant => merchant !== null);
    const unreadable = page.records.length - merchants.length;
    if (unreadable > 0) this.logger.warn({ kind, unreadable }, 'wildfire merchant records without a usable ID were left out');
    this.merchantsDescribed.inc({ kind }, merchants.length);
    return merchants;
  }

  private requireClient(): WildfireMerchantApiClient {
    if (this.client === null) throw new Error('WILDFIRE_API_BASE_URL is not set: the merchant directory cannot ask Wildfire');
    return this.client;
  }
}
