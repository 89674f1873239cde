import { Wfav1Credentials } from './wfav1';
import { getWildfirePage, WildfirePage } from './wildfire-http';

export interface WildfireMerchantApiConfig {
  /** The same base as the Commission API, e.g. https://api.wfi.re (no trailing slash). */
  baseUrl: string;
  credentials: Wfav1Credentials;
  requestTimeoutMs: number;
}

/** Wildfire's list pages hold at most 500 merchants. */
export const merchantPageLimitMax = 500;
/** Ids per lookup: keeps the URL far below any server's limit (about 1.5 kB of `id=` pairs). */
export const merchantIdsPerLookupMax = 100;

/** A page of `Merchants`: records for readWildfireMerchant. */
export type MerchantPage = WildfirePage;

/**
 * Wildfire's merchant API, WFAV1-signed like the Commission API: `GET /v2/merchant?id=1&id=2` for
 * the merchants commissions named, and the paged list of enabled merchants
 * `GET /v2/merchant?disabled=false&cursor=&limit=500`. Pacing and retries belong to the caller.
 */
export class WildfireMerchantApiClient {
  constructor(private readonly config: WildfireMerchantApiConfig) {}

  fetchByIds(merchantIds: readonly string[], now: Date): Promise<MerchantPage> {
    if (merchantIds.length === 0 || merchantIds.length > merchantIdsPerLookupMax) throw new RangeError(`a lookup asks for 1 to ${merchantIdsPerLookupMax} merchants`);
    const parameters = new URLSearchParams(merchantIds.map((id): [string, string] => ['id', id]));
    return getWildfirePage(`${this.config.baseUrl}/v2/merchant?${parameters}`, 'Merchants', this.config, now);
  }

  fetchListPage(cursor: string | null, now: Date): Promise<MerchantPage> {
    const parameters = new URLSearchParams({ disabled: 'false', cursor: cursor ?? '', limit: String(merchantPageLimitMax) });
    return getWildfirePage(`${this.config.baseUrl}/v2/merchant?${parameters}`, 'Merchants', this.config, now);
  }
}
