import { fractionDigitsOf, PayoutPolicy, reviewPolicyText } from '@earnings/domain';
import { CronTime } from 'cron';
import { DataSource } from 'typeorm';

/** When scheduled runs start, as readers need it: the cron, the time zone it is read in, and the next start. */
export interface PublishedSchedule {
  runCron: string;
  runTimeZone: string;
  /** ISO-8601; null when the cron has no next date. */
  nextRunAt: string | null;
}

/** The schedule as published: `runCron` read in `runTimeZone`, and its first start after `now`. */
export function publishedScheduleOf(runCron: string, runTimeZone: string, now: Date): PublishedSchedule {
  return { runCron, runTimeZone, nextRunAt: new CronTime(runCron, runTimeZone).getNextDateFrom(now, runTimeZone).toUTC().toISO() };
}

/**
 * All SQL of the policy this service publishes for readers: its tables `payout_policy_unit` and
 * `payout_schedule` (with the review policy, as reviewPolicyText writes it), which other services
 * read only through `payout_policy_view`.
 */
export class PayoutPolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Replaces the published policy in one transaction, so a reader sees the old or the new one,
   * never a mix. Every process publishes at start; with the same configuration they write the same rows.
   */
  async publish(policy: PayoutPolicy, schedule: PublishedSchedule): Promise<void> {
    const units = [...policy.thresholds];
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('earnings-payout-policy'))`);
      await manager.query('DELETE FROM payout_policy_unit');
      await manager.query(
        `INSERT INTO payout_policy_unit (unit, threshold, fraction_digits) SELECT * FROM unnest($1::text[], $2::numeric[], $3::integer[])`,
        [units.map(([unit]) => unit), units.map(([, threshold]) => threshold.toFixed()), units.map(([unit]) => fractionDigitsOf(unit, policy))],
      );
      await manager.query(
        `INSERT INTO payout_schedule (singleton, run_cron, run_time_zone, next_run_at, review_policy) VALUES (true, $1, $2, $3, $4)
         ON CONFLICT (singleton) DO UPDATE SET run_cron = EXCLUDED.run_cron, run_time_zone = EXCLUDED.run_time_zone, next_run_at = EXCLUDED.next_run_at,
           review_policy = EXCLUDED.review_policy, published_at = now()`,
        [schedule.runCron, schedule.runTimeZone, schedule.nextRunAt, reviewPolicyText(policy.review ?? { kind: 'none' })],
      );
    });
  }

  /**
   * A scheduled run started: the next one is published. Only for the schedule published (a process
   * still on an older one during a rollout changes nothing), and never moved back.
   */
  async recordNextRun(schedule: PublishedSchedule): Promise<void> {
    await this.dataSource.query(
      `UPDATE payout_schedule SET next_run_at = $3, published_at = now()
        WHERE run_cron = $1 AND run_time_zone = $2 AND (next_run_at IS NULL OR next_run_at < $3::timestamptz)`,
      [schedule.runCron, schedule.runTimeZone, schedule.nextRunAt],
    );
  }
}
