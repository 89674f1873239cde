import { canonicalTimestamp, Decimal, parseReviewPolicy, ReviewPolicy } from '@earnings/domain';
import { DataSource } from 'typeorm';
import { PublishedPayoutPolicy } from './payout-schedule';

/** The policy changes only when the payout service restarts with another one: read at most this often. */
const policyReadIntervalMs = 5_000;

interface PolicyRow {
  unit: string;
  threshold: string;
  fraction_digits: number;
  run_cron: string;
  run_time_zone: string;
  next_run_at: string | Date | null;
  review_policy: string | null;
}

/** Reads the payout policy the payout service publishes, through its view payout_policy_view (never its tables). */
export class PayoutPolicyRepository {
  private cached: { policy: PublishedPayoutPolicy; readAtMs: number } | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async current(): Promise<PublishedPayoutPolicy> {
    if (this.cached !== null && Date.now() - this.cached.readAtMs < policyReadIntervalMs) return this.cached.policy;
    const rows: PolicyRow[] = await this.dataSource.query(
      `SELECT unit, threshold::text, fraction_digits, run_cron, run_time_zone, next_run_at, review_policy FROM payout_policy_view ORDER BY unit`,
    );
    const policy = policyOf(rows);
    this.cached = { policy, readAtMs: Date.now() };
    return policy;
  }
}

function policyOf(rows: PolicyRow[]): PublishedPayoutPolicy {
  const first = rows[0];
  const nextRunAt = first?.next_run_at ?? null;
  return {
    thresholds: new Map(rows.map((row) => [row.unit, new Decimal(row.threshold)])),
    fractionDigitsByUnit: new Map(rows.map((row) => [row.unit, Number(row.fraction_digits)])),
    review: reviewOf(first?.review_policy ?? null),
    schedule: first === undefined ? null : {
      runCron: first.run_cron, runTimeZone: first.run_time_zone,
      nextRunAt: nextRunAt === null ? null : canonicalTimestamp(nextRunAt instanceof Date ? nextRunAt.toISOString() : String(nextRunAt)),
    },
  };
}

/**
 * The published review policy, read with the payout service's own parser. Not published (a payout
 * service from before it published one) or unreadable: every payout is shown as reviewed, since
 * the page must not promise a payout leaves when it may wait for the partner.
 */
function reviewOf(text: string | null): ReviewPolicy {
  const review = text === null ? null : parseReviewPolicy(text);
  return review === null || typeof review === 'string' ? { kind: 'all' } : review;
}
