/** Base URL of the FirstPromoter admin API v2. */
export const FIRSTPROMOTER_API_BASE_URL = 'https://api.firstpromoter.com/api/v2/company';

export interface FirstPromoterApiConfig {
  /** Default FIRSTPROMOTER_API_BASE_URL. */
  baseUrl?: string;
  apiKey: string;
  accountId: string;
  /** Per HTTP request, body included. Default 10 s. */
  requestTimeoutMs?: number;
  /** First wait before polling a batch process; doubles each attempt (capped at 30 s). Default 1 s. */
  batchPollIntervalMsInitial?: number;
  /** Polls before giving up on a batch process. Default 8 (about 4 minutes with the defaults). */
  batchPollAttemptsMax?: number;
}

export type FirstPromoterListStatus = 'pending' | 'approved' | 'denied';
export type FirstPromoterListUnit = 'cash' | 'credits' | 'points' | 'free_months' | 'mon_discount' | 'discount_per';

export interface ListCommissionsQuery {
  status?: FirstPromoterListStatus;
  /** Filtered here, not by the server: the published CommissionFilters have no unit filter. */
  unit?: FirstPromoterListUnit;
  /** First page to read (1-based); the iterator continues to the last page. */
  page: number;
  /** 1 to 100 (the API's maximum). */
  perPage: number;
}

/** A commission as the API serialises it; untrusted until normalised (normaliseFirstPromoterCommission). */
export type FirstPromoterApiCommission = Readonly<Record<string, unknown>>;

/** A promoter as the Promoters API serialises it; untrusted until read (`cust_id` is the partner's user id). */
export type FirstPromoterApiPromoter = Readonly<Record<string, unknown>>;

export const FirstPromoterBatchStatuses = ['pending', 'in_progress', 'completed', 'failed', 'stopped'] as const;
export type FirstPromoterBatchStatus = (typeof FirstPromoterBatchStatuses)[number];

/** A batch action or batch process as FirstPromoter reports it. */
export interface FirstPromoterBatch {
  id: number | null;
  status: FirstPromoterBatchStatus;
  total: number | null;
  processedCount: number | null;
  failedCount: number;
  processingErrors: string[];
}

/** A batch action that finished with every item processed. */
export interface FirstPromoterBatchResult extends FirstPromoterBatch {
  status: 'completed';
  /** How many times the batch process was polled (0 when the API answered synchronously). */
  polls: number;
}
