import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payout service publishes its review policy (PAYOUT_REVIEW) with the rest of its policy, so
 * the query service's `payoutSchedule` says when the next run's payout waits for the partner's
 * review instead of promising it leaves. The text is canonical (reviewPolicyText in libs/domain:
 * `none`, `all`, `above:50`, `above:EUR:45,USD:50`) and read back with the one parser of PAYOUT_REVIEW.
 * Null until a payout service that knows it publishes again: readers do not know the policy then.
 * The view keeps its columns in order and adds the new one at the end.
 */
export class PayoutReviewPolicyPublished1763700019500 implements MigrationInterface {
  name = 'PayoutReviewPolicyPublished1763700019500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE payout_schedule ADD COLUMN review_policy text');
    await queryRunner.query(`
      CREATE OR REPLACE VIEW payout_policy_view AS
        SELECT u.unit, u.threshold, u.fraction_digits, s.run_cron, s.run_time_zone, s.next_run_at, s.published_at, s.review_policy
          FROM payout_policy_unit u CROSS JOIN payout_schedule s`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // A view cannot drop a column in place: recreated as it was.
    await queryRunner.query('DROP VIEW payout_policy_view');
    await queryRunner.query(`
      CREATE VIEW payout_policy_view AS
        SELECT u.unit, u.threshold, u.fraction_digits, s.run_cron, s.run_time_zone, s.next_run_at, s.published_at
          FROM payout_policy_unit u CROSS JOIN payout_schedule s`);
    await queryRunner.query('ALTER TABLE payout_schedule DROP COLUMN review_policy');
  }
}
