import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 22: the payout policy has one source. The payout service writes the policy it runs by
 * (thresholds and fraction digits per unit, the schedule of its runs and when the next one starts)
 * into tables it owns, at start and after each scheduled run; other services read it through the
 * view `payout_policy_view`, never the tables. The query service's `payoutSchedule` reads it, so
 * the page promises only what the payout service will pay.
 */
export class PayoutPolicyView1763700016100 implements MigrationInterface {
  name = 'PayoutPolicyView1763700016100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE payout_policy_unit (
        -- A unit scheduled runs pay (PAYOUT_THRESHOLDS); a unit not here is never paid by a run.
        unit text PRIMARY KEY,
        threshold numeric NOT NULL CHECK (threshold > 0),
        fraction_digits integer NOT NULL CHECK (fraction_digits BETWEEN 0 AND 8)
      )`);
    await queryRunner.query(`
      CREATE TABLE payout_schedule (
        -- One row: the schedule of the payout runs.
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        run_cron text NOT NULL,
        -- The IANA time zone the cron expression is read in (the payout service's).
        run_time_zone text NOT NULL,
        next_run_at timestamptz,
        published_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE VIEW payout_policy_view AS
        SELECT u.unit, u.threshold, u.fraction_digits, s.run_cron, s.run_time_zone, s.next_run_at, s.published_at
          FROM payout_policy_unit u CROSS JOIN payout_schedule s`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW payout_policy_view');
    await queryRunner.query('DROP TABLE payout_schedule');
    await queryRunner.query('DROP TABLE payout_policy_unit');
  }
}
