import { Wfav1Credentials } from './wfav1';
import { getWildfirePage, WildfirePage } from './wildfire-http';

export type WildfireApiVersion = 'v2' | 'v3' | 'v4';

export interface WildfireCommissionApiConfig {
  /** e.g. https://api.wfi.re (no trailing slash). */
  baseUrl: string;
  apiVersion: WildfireApiVersion;
  credentials: Wfav1Credentials;
  requestTimeoutMs: number;
  /** Records per page; Wildfire allows up to 2000. */
  pageLimit: number;
}

export interface CommissionPageQuery {
  startModifiedDate: string;
  endModifiedDate: string;
  cursor: string | null;
}

/** A page of `Commissions`: records for normaliseWildfireCommission. */
export type CommissionPage = WildfirePage;

/**
 * One request of the Wildfire Commission API: `GET /v{N}/commission`, sorted by modified date
 * ascending, WFAV1-signed. Pacing (one request per 5 s) and retries belong to the caller, which
 * knows about restarts and the time budget.
 */
export class WildfireCommissionApiClient {
  constructor(private readonly config: WildfireCommissionApiConfig) {}

  fetchPage(query: CommissionPageQuery, now: Date): Promise<CommissionPage> {
    return getWildfirePage(this.pageUrl(query), 'Commissions', this.config, now);
  }

  private pageUrl(query: CommissionPageQuery): string {
    const parameters = new URLSearchParams({
      start_modified_date: query.startModifiedDate,
      end_modified_date: query.endModifiedDate,
      sort_by: 'modified_date',
      sort_order: 'asc',
      limit: String(this.config.pageLimit),
    });
    if (query.cursor) parameters.set('cursor', query.cursor);
    return `${this.config.baseUrl}/${this.config.apiVersion}/commission?${parameters}`;
  }
}
