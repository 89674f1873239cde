import { ServiceConfig } from '@earnings/service-shell';
import { parseReviewPolicy } from '@earnings/domain';
import { IsIn, IsInt, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';

/** Every setting of the payout service, read from the environment variable of the same name. */
export class PayoutConfig extends ServiceConfig {
  @IsInt() @Min(1) @Max(65535)
  PAYOUT_PORT = 3003;

  @Matches(/^[A-Za-z0-9._-]+$/)
  PAYOUT_CONSUMER_GROUP = 'payout-balances';

  /** Kafka session timeout of the balance view consumer: after a crash, the group waits this long for the dead member. */
  @IsInt() @Min(6_000) @Max(300_000)
  PAYOUT_SESSION_TIMEOUT_MS = 30_000;

  /**
   * Minimum payout per unit; a currency not listed is never paid out. A reward unit listed here is
   * paid by the run once its balance reaches the amount; reward units not listed are delivered per
   * commission on approval (PAYOUT_REWARD_FULFILLERS). `discount_per` cannot be listed: percentages
   * are grants, never summed into an amount.
   */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,39}:\d+(\.\d+)?(,[A-Za-z_][A-Za-z0-9_]{0,39}:\d+(\.\d+)?)*$/, { message: 'must be unit:amount[,unit:amount...]' })
  PAYOUT_THRESHOLDS = 'USD:10,EUR:10,GBP:10';

  /** Fractional digits paid per unit, overriding ISO 4217 (currencies) and whole units (rewards). Empty: the defaults. */
  @Matches(/^$|^[A-Za-z_][A-Za-z0-9_]{0,39}:[0-8](,[A-Za-z_][A-Za-z0-9_]{0,39}:[0-8])*$/, { message: 'must be unit:digits[,unit:digits...]' })
  PAYOUT_FRACTION_DIGITS = '';

  /**
   * Which payouts the partner reviews before they leave: `none`, `all`, `above:50` (above 50 of the
   * payout's unit) or `above:USD:50,EUR:45` (per unit; a unit not listed is always reviewed). A payout
   * under review is requested (out of spendable, shown as being reviewed) and leaves only once an
   * operator approves it through the admin API; a rejection releases it.
   */
  @ValidateBy({
    name: 'reviewPolicy',
    // The one parser of the review policy: the run and the query service's readers use it too.
    validator: {
      validate: (value: unknown) => typeof value === 'string' && typeof parseReviewPolicy(value) !== 'string',
      defaultMessage: (args) => `must be none, all, above:<amount> or above:<unit>:<amount>[,<unit>:<amount>...]: ${String(parseReviewPolicy(String(args?.value)))}`,
    },
  })
  PAYOUT_REVIEW = 'none';

  /** How long changing an existing payout method holds the user's payouts (the first method holds nothing). 0: no hold. */
  @IsInt() @Min(0) @Max(24 * 90)
  PAYOUT_METHOD_CHANGE_HOLD_HOURS = 72;

  /** When scheduled payout runs start (cron, server time zone). Default: daily at 02:00. */
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'must be a cron expression' })
  PAYOUT_RUN_CRON = '0 2 * * *';

  /**
   * A run first waits up to this long for its reward consumer (reward commissions and fraud flags)
   * to apply commission-observed up to the end as of the run's start; still behind, reward balances
   * and balances holding FirstPromoter commissions are skipped as `view-behind` and paid by a later run.
   */
  @IsInt() @Min(0) @Max(600_000)
  PAYOUT_RUN_INPUTS_WAIT_MS = 30_000;

  /** Bearer token of the admin API. Empty: the admin API refuses every request. */
  @Matches(/^$|^\S{16,}$/, { message: 'must be empty or at least 16 characters without spaces' })
  PAYOUT_ADMIN_TOKEN = '';

  /** Only AUIs starting with this are paid (one deployment serving a slice of users, and isolated test runs). Empty: everyone. */
  @Matches(/^[^\s]*$/)
  PAYOUT_AUI_PREFIX = '';

  /**
   * The method of a user whose partner never set one. Empty (the default): such a user is not
   * paid and counted as `no-method`; money is never credited somewhere nobody chose.
   */
  @IsIn(['', 'account_credit', 'paypal', 'gift_card'])
  PAYOUT_DEFAULT_METHOD = '';

  /** How long after success a PayPal or gift card payout is still asked about (PayPal returns an unclaimed payment after 30 days). */
  @IsInt() @Min(0) @Max(365)
  PAYOUT_RETURN_WATCH_DAYS = 35;

  /** How often a succeeded payout under watch is asked about. */
  @IsInt() @Min(100) @Max(7 * 24 * 3600 * 1000)
  PAYOUT_RETURN_POLL_INTERVAL_MS = 6 * 3600 * 1000;

  /**
   * The longest wait between asks about a payout still on its way at the provider (PayPal PENDING,
   * ONHOLD, UNCLAIMED): asks start a second after submission and back off to this.
   */
  @IsInt() @Min(100) @Max(24 * 3600 * 1000)
  PAYOUT_IN_FLIGHT_POLL_INTERVAL_MS_MAX = 15 * 60 * 1000;

  /** How often the worker looks for payouts to submit or poll. */
  @IsInt() @Min(10) @Max(60_000)
  PAYOUT_WORK_INTERVAL_MS = 500;

  /** Payouts handled per worker tick, and in parallel at most. */
  @IsInt() @Min(1) @Max(1_000)
  PAYOUT_WORK_BATCH_MAX = 100;

  @IsInt() @Min(1) @Max(64)
  PAYOUT_PROVIDER_CONCURRENCY_MAX = 8;

  @IsInt() @Min(100) @Max(120_000)
  PAYOUT_PROVIDER_TIMEOUT_MS = 10_000;

  @IsInt() @Min(10) @Max(60_000)
  PAYOUT_OUTBOX_POLL_MS = 100;

  @Matches(/^$|^https?:\/\//, { message: 'must be an http(s) URL' })
  PAYPAL_BASE_URL = 'https://api-m.sandbox.paypal.com';

  @IsString()
  PAYPAL_CLIENT_ID = '';

  @IsString()
  PAYPAL_CLIENT_SECRET = '';

  @Matches(/^$|^https?:\/\//, { message: 'must be an http(s) URL' })
  GIFT_CARD_BASE_URL = 'https://testflight.tremendous.com';

  @IsString()
  GIFT_CARD_API_KEY = '';

  /** The Tremendous funding source orders are paid from. */
  @IsString()
  GIFT_CARD_FUNDING_SOURCE_ID = 'balance';

  /** How rewards (credits, points, free_months, ...) are delivered: the partner's product reads the ledger, or a signed POST to the partner. */
  @IsIn(['ledger_credit', 'http_webhook'])
  PAYOUT_REWARD_FULFILLER = 'ledger_credit';

  /**
   * The fulfiller per reward unit, overriding PAYOUT_REWARD_FULFILLER: "credits:ledger_credit,free_months:http_webhook".
   * `none` leaves a unit undelivered (FirstPromoter is never told it was fulfilled).
   */
  @Matches(/^$|^[a-z_]{1,40}:[a-z_]{1,40}(,[a-z_]{1,40}:[a-z_]{1,40})*$/, { message: 'must be unit:fulfiller[,unit:fulfiller...]' })
  PAYOUT_REWARD_FULFILLERS = '';

  /** Consumer group of the reward consumer (commission-observed). Empty: PAYOUT_CONSUMER_GROUP with `-rewards` appended. */
  @Matches(/^[A-Za-z0-9._-]*$/)
  PAYOUT_REWARD_CONSUMER_GROUP = '';

  @Matches(/^$|^https?:\/\//, { message: 'must be an http(s) URL' })
  PAYOUT_REWARD_WEBHOOK_URL = '';

  /** HMAC-SHA256 key of the reward webhook's X-Signature header. */
  @IsString()
  PAYOUT_REWARD_WEBHOOK_SECRET = '';

  /** FirstPromoter admin API v2 for mark_fulfilled; empty: delivered rewards are not marked. */
  @Matches(/^$|^https?:\/\//, { message: 'must be an http(s) URL' })
  FIRSTPROMOTER_API_BASE_URL = '';

  @IsString()
  FIRSTPROMOTER_API_KEY = '';

  @IsString()
  FIRSTPROMOTER_ACCOUNT_ID = '';

  /**
   * Who approves FirstPromoter commissions: `auto` (FirstPromoter's auto-approve), `after-days:N`
   * (this service approves pending commissions N days old that its fraud check did not flag) or
   * `manual` (only ids an operator posts to the admin API). The last two need the API variables.
   */
  @Matches(/^(auto|manual|after-days:[0-9]{1,4})$/, { message: 'must be auto, manual or after-days:N (days, up to 3650)' })
  FIRSTPROMOTER_APPROVAL = 'auto';

  /** How often `after-days:N` looks for pending commissions old enough (and once at start). */
  @IsInt() @Min(1) @Max(24 * 60)
  FIRSTPROMOTER_APPROVAL_INTERVAL_MINUTES = 60;
}
