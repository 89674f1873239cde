import { ServiceConfig } from '@earnings/service-shell';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const decimalShare = /^(0(\.\d+)?|1(\.0+)?)$/;

/** Every setting of the ingest service, read from the environment variable of the same name. */
export class IngestConfig extends ServiceConfig {
  @IsInt() @Min(1) @Max(65535)
  INGEST_PORT = 3001;

  /** Comma-separated; any key verifies a callback, so keys can be rotated without downtime. */
  @IsString() @IsNotEmpty({ message: 'must list at least one Wildfire callback key' })
  WILDFIRE_CALLBACK_KEYS = '';

  /** v2 callbacks carry no currency: amounts are in the application's default currency. */
  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD' })
  WILDFIRE_DEFAULT_CURRENCY = 'USD';

  /** The user's share of the application amount when the partner pays users itself (0..1). */
  @Matches(decimalShare, { message: 'must be a decimal between 0 and 1' })
  WILDFIRE_USER_SHARE = '1';

  /** Per-application overrides: "156:0.5,104:0.8". */
  @Matches(/^$|^\d+:(0(\.\d+)?|1(\.0+)?)(,\d+:(0(\.\d+)?|1(\.0+)?))*$/, { message: 'must look like "156:0.5,104:0.8"' })
  WILDFIRE_USER_SHARE_BY_APPLICATION = '';

  @IsInt() @Min(1024) @Max(16 * 1024 * 1024)
  CALLBACK_BODY_BYTES_MAX = 256 * 1024;

  /** How long a request waits for others to share its Kafka batch. */
  @IsInt() @Min(0) @Max(100)
  KAFKA_PRODUCER_LINGER_MS = 2;

  /**
   * How long a request waits for Kafka's acknowledgement before answering 503. FirstPromoter
   * retries a 5xx; Wildfire does not, and the next API sync repairs what was lost.
   */
  @IsInt() @Min(100) @Max(60_000)
  KAFKA_ACKNOWLEDGEMENT_TIMEOUT_MS = 10_000;

  /** Comma-separated FirstPromoter webhook secrets (current and previous, for rotation). Empty: endpoint off. */
  @IsString()
  FIRSTPROMOTER_WEBHOOK_SECRETS = '';

  /** Shared token protecting the unsigned legacy fulfilment_pending webhook. Empty: endpoint off. */
  @Matches(/^$|^.{16,}$/, { message: 'must be at least 16 characters, or empty to turn the legacy webhook off' })
  FIRSTPROMOTER_LEGACY_TOKEN = '';

  /** FirstPromoter's `cash` unit is this currency. */
  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD' })
  FIRSTPROMOTER_ACCOUNT_CURRENCY = 'USD';

  /** Whose user id a commission belongs to: the promoter's cust_id or the referral's uid. */
  @IsIn(['promoter', 'referral'])
  FIRSTPROMOTER_REWARDED_PARTY = 'promoter';

  /** Per campaign: "12:referral,13:promoter". */
  @Matches(/^$|^\d+:(promoter|referral)(,\d+:(promoter|referral))*$/, { message: 'must look like "12:referral,13:promoter"' })
  FIRSTPROMOTER_REWARDED_PARTY_BY_CAMPAIGN = '';

  /** Per reward (checked before the reward's name and the campaign): "61:referral,63:promoter". */
  @Matches(/^$|^\d+:(promoter|referral)(,\d+:(promoter|referral))*$/, { message: 'must look like "61:referral,63:promoter"' })
  FIRSTPROMOTER_REWARDED_PARTY_BY_REWARD = '';

  /**
   * Reward units the payout service delivers (its PAYOUT_REWARD_FULFILLERS). A legacy
   * fulfilment_pending in another unit is answered 202, so FirstPromoter keeps it pending.
   */
  @Matches(/^(cash|credits|points|free_months|mon_discount|discount_per)(,(cash|credits|points|free_months|mon_discount|discount_per))*$/, {
    message: 'must list FirstPromoter reward units, e.g. "credits,points"',
  })
  FIRSTPROMOTER_DELIVERED_UNITS = 'credits,points,free_months,mon_discount,discount_per';

  /** FirstPromoter API v2 key for the reconciliation pull. Empty: no pull (webhooks only). */
  @IsString()
  FIRSTPROMOTER_API_KEY = '';

  @ValidateIf((config: IngestConfig) => config.FIRSTPROMOTER_API_KEY !== '')
  @IsNotEmpty({ message: 'is required when FIRSTPROMOTER_API_KEY is set' })
  FIRSTPROMOTER_ACCOUNT_ID = '';

  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'must be an http(s) URL without a trailing slash' })
  FIRSTPROMOTER_API_BASE_URL = 'https://api.firstpromoter.com/api/v2/company';

  @IsInt() @Min(1) @Max(24 * 60)
  FIRSTPROMOTER_RECONCILE_INTERVAL_MINUTES = 60;

  @IsBoolean()
  FIRSTPROMOTER_RECONCILE_ON_START = true;

  /** The Commission API, e.g. https://api.wfi.re. Empty: no scheduled sync (callbacks only). */
  @Matches(/^$|^https?:\/\/[^\s]+[^/]$/, { message: 'must be an http(s) URL without a trailing slash, or empty' })
  WILDFIRE_API_BASE_URL = '';

  @IsIn(['v2', 'v3', 'v4'])
  WILDFIRE_API_VERSION = 'v4';

  @ValidateIf((config: IngestConfig) => config.WILDFIRE_API_BASE_URL !== '')
  @IsNotEmpty({ message: 'is required when WILDFIRE_API_BASE_URL is set' })
  WILDFIRE_APP_ID = '';

  @ValidateIf((config: IngestConfig) => config.WILDFIRE_API_BASE_URL !== '')
  @IsNotEmpty({ message: 'is required when WILDFIRE_API_BASE_URL is set' })
  WILDFIRE_APP_SECRET = '';

  @ValidateIf((config: IngestConfig) => config.WILDFIRE_API_BASE_URL !== '')
  @IsNotEmpty({ message: 'is required when WILDFIRE_API_BASE_URL is set' })
  WILDFIRE_DEVICE_TOKEN = '';

  @IsString()
  WILDFIRE_SENDER_TOKEN = '';

  /** Wildfire recommends pulling every 1 to 6 hours, at least daily. */
  @IsInt() @Min(1) @Max(24 * 60)
  WILDFIRE_SYNC_INTERVAL_MINUTES = 60;

  @IsBoolean()
  WILDFIRE_SYNC_ON_START = true;

  /** Each window starts this long before the last one ended, so nothing falls between windows. */
  @IsInt() @Min(0) @Max(7 * 24 * 60)
  WILDFIRE_SYNC_OVERLAP_MINUTES = 120;

  /** Start of the first window when no sync ran yet (ISO-8601); empty means the application's whole history. */
  @Matches(/^$|^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, { message: 'must be an ISO-8601 UTC date such as 2024-01-01T00:00:00Z, or empty' })
  WILDFIRE_SYNC_INITIAL_START = '';

  /** How often a sync or backfill logs how far it got (pages, records, the modified date reached). */
  @IsInt() @Min(1_000) @Max(3_600_000)
  WILDFIRE_SYNC_PROGRESS_LOG_INTERVAL_MS = 5_000;

  /** How often the list of Wildfire's merchants is read into the directory; 0: never (merchants are still looked up by id on first sight). */
  @IsInt() @Min(0) @Max(24 * 30)
  WILDFIRE_MERCHANT_SYNC_INTERVAL_HOURS = 24;

  /** Wildfire rejects calls closer than 5 s. */
  @IsInt() @Min(0) @Max(600_000)
  WILDFIRE_API_REQUEST_INTERVAL_MS_MIN = 5_000;

  @IsInt() @Min(100) @Max(600_000)
  WILDFIRE_API_REQUEST_TIMEOUT_MS = 30_000;

  @IsInt() @Min(1) @Max(2_000)
  WILDFIRE_API_PAGE_LIMIT = 2_000;

  /** How long one page may be retried (timeouts, 5xx, 429, bad payloads) before the run fails. */
  @IsInt() @Min(0) @Max(6 * 3600_000)
  WILDFIRE_SYNC_RETRY_BUDGET_MS = 10 * 60_000;

  @IsInt() @Min(1) @Max(1_000_000)
  WILDFIRE_SYNC_PAGES_PER_WINDOW_MAX = 10_000;
}
