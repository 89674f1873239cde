import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 27: the partner reviews payouts, a changed payout method holds a user's payouts for a
 * while, and commissions a fraud check flagged are held until an operator decides.
 *
 * - payout.review_*: a payout the run decided under PAYOUT_REVIEW waits in `requested` (held by
 *   the ledger like any payout in flight) with review_state `pending`; the processor leaves it
 *   until an operator approves it, and a rejection fails it (its hold is released).
 * - payout_method.held_until: set when an existing method is changed; runs pay the user again
 *   after it, or once an operator lifts it (lifted_by / lifted_at).
 * - payout_commission_flag: per commission a fraud check flagged, held until cleared or rejected.
 *
 * Published to readers (the query service) as views, never the tables: payout_commitment gains
 * `in_review` at its end; payout_security_hold and payout_commission_hold are new.
 */
export class PayoutReviewAndHolds1763700019000 implements MigrationInterface {
  name = 'PayoutReviewAndHolds1763700019000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payout
        ADD COLUMN review_state text CHECK (review_state IN ('pending', 'approved', 'rejected')),
        ADD COLUMN review_reason text,
        ADD COLUMN reviewed_by text,
        ADD COLUMN reviewed_at timestamptz`);
    await queryRunner.query(`CREATE INDEX payout_in_review ON payout (run_id) WHERE review_state = 'pending'`);
    await queryRunner.query(`
      ALTER TABLE payout_method
        ADD COLUMN held_until timestamptz,
        ADD COLUMN hold_started_at timestamptz,
        ADD COLUMN hold_lifted_by text,
        ADD COLUMN hold_lifted_at timestamptz,
        ADD COLUMN hold_lift_reason text`);
    await queryRunner.query(`
      CREATE TABLE payout_commission_flag (
        source text NOT NULL,
        commission_id text NOT NULL,
        -- What the source's fraud check said when it was first flagged.
        fraud_check text,
        is_self_referral boolean NOT NULL DEFAULT false,
        flagged_at timestamptz NOT NULL DEFAULT now(),
        decision text NOT NULL DEFAULT 'held' CHECK (decision IN ('held', 'cleared', 'rejected')),
        decision_reason text,
        decided_by text,
        decided_at timestamptz,
        PRIMARY KEY (source, commission_id)
      )`);
    await queryRunner.query(`
      CREATE OR REPLACE VIEW payout_commitment AS
      SELECT aui, unit,
             coalesce(sum(amount) FILTER (WHERE state IN ('requested', 'submitted', 'succeeded')), 0) AS committed,
             coalesce(sum(amount) FILTER (WHERE state IN ('requested', 'submitted')), 0) AS in_flight,
             count(*) AS payout_count,
             -- Of in_flight, what waits for the partner's review (PAYOUT_REVIEW).
             coalesce(sum(amount) FILTER (WHERE state = 'requested' AND review_state = 'pending'), 0) AS in_review
        FROM payout
       GROUP BY aui, unit`);
    // The exporter's counts (earnings_payouts{state}) tell a payout waiting for the partner's
    // review from one in flight at a provider: only the second is an operations problem.
    await queryRunner.query(`
      CREATE OR REPLACE VIEW payout_count AS
      SELECT CASE WHEN state = 'requested' AND review_state = 'pending' THEN 'in-review' ELSE state END AS state, method, count(*)::bigint AS payouts
        FROM payout
       GROUP BY 1, method`);
    await queryRunner.query(`
      CREATE VIEW payout_security_hold AS
      SELECT aui, held_until, hold_started_at AS method_changed_at
        FROM payout_method
       WHERE held_until IS NOT NULL AND hold_lifted_at IS NULL`);
    await queryRunner.query(`
      CREATE VIEW payout_commission_hold AS
      SELECT source, commission_id, decision, fraud_check, is_self_referral, flagged_at
        FROM payout_commission_flag
       WHERE decision IN ('held', 'rejected')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW payout_commission_hold');
    await queryRunner.query('DROP VIEW payout_security_hold');
    await queryRunner.query('CREATE OR REPLACE VIEW payout_count AS SELECT state, method, count(*)::bigint AS payouts FROM payout GROUP BY state, method');
    await queryRunner.query('DROP VIEW payout_commitment');
    await queryRunner.query(`
      CREATE VIEW payout_commitment AS
      SELECT aui, unit,
             coalesce(sum(amount) FILTER (WHERE state IN ('requested', 'submitted', 'succeeded')), 0) AS committed,
             coalesce(sum(amount) FILTER (WHERE state IN ('requested', 'submitted')), 0) AS in_flight,
             count(*) AS payout_count
        FROM payout
       GROUP BY aui, unit`);
    await queryRunner.query('DROP TABLE payout_commission_flag');
    await queryRunner.query('ALTER TABLE payout_method DROP COLUMN held_until, DROP COLUMN hold_started_at, DROP COLUMN hold_lifted_by, DROP COLUMN hold_lifted_at, DROP COLUMN hold_lift_reason');
    await queryRunner.query('DROP INDEX payout_in_review');
    await queryRunner.query('ALTER TABLE payout DROP COLUMN review_state, DROP COLUMN review_reason, DROP COLUMN reviewed_by, DROP COLUMN reviewed_at');
  }
}
