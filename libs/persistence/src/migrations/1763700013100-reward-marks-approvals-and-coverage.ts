import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payout service's side of issue 23. Telling FirstPromoter becomes "what it should know"
 * (`wanted`) against "what it was last told" (`told`), so a redelivery during a pending
 * mark_unfulfilled ends fulfilled, in whatever order the calls finish. Approvals it makes
 * (after N days, or an operator's ids) are queued per commission like the marks. And what each
 * reward payout paid per commission is kept, so a run's payout covers exactly what it paid.
 */
export class RewardMarksApprovalsAndCoverage1763700013100 implements MigrationInterface {
  name = 'RewardMarksApprovalsAndCoverage1763700013100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE reward_fulfilment
        ADD COLUMN wanted text NOT NULL DEFAULT 'fulfilled' CHECK (wanted IN ('fulfilled', 'unfulfilled')),
        ADD COLUMN told text CHECK (told IN ('fulfilled', 'unfulfilled')),
        -- The action of the batch process being followed (batch_id).
        ADD COLUMN batch_action text CHECK (batch_action IN ('mark_fulfilled', 'mark_unfulfilled'))`);
    await queryRunner.query(`
      UPDATE reward_fulfilment SET
        wanted = CASE WHEN reversed_at IS NOT NULL THEN 'unfulfilled' ELSE 'fulfilled' END,
        told = CASE WHEN unmarked_at IS NOT NULL THEN 'unfulfilled' WHEN marked_at IS NOT NULL THEN 'fulfilled' END,
        batch_action = CASE WHEN batch_id IS NULL THEN NULL WHEN marked_at IS NULL THEN 'mark_fulfilled' ELSE 'mark_unfulfilled' END`);
    await queryRunner.query(`
      CREATE TABLE firstpromoter_approval (
        commission_id text PRIMARY KEY,
        requested_by text NOT NULL CHECK (requested_by IN ('schedule', 'operator')),
        requested_at timestamptz NOT NULL DEFAULT now(),
        approved_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        -- A batch process (more than 5 ids) still running: followed by its id, never re-posted.
        batch_id bigint,
        alone boolean NOT NULL DEFAULT false,
        given_up_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX firstpromoter_approval_due ON firstpromoter_approval (next_attempt_at) WHERE approved_at IS NULL AND given_up_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE reward_payout_commission (
        payout_id text NOT NULL REFERENCES payout (payout_id),
        commission_id text NOT NULL,
        -- What this payout delivered of the commission: the whole owed amount, never part of one by a run.
        amount numeric NOT NULL,
        CONSTRAINT reward_payout_commission_key PRIMARY KEY (payout_id, commission_id)
      )`);
    await queryRunner.query('CREATE INDEX reward_payout_commission_by_commission ON reward_payout_commission (commission_id)');
    // Deliveries on approval cover one commission with their whole amount; runs before this covered
    // every approved commission of the balance: each is counted at its current amount.
    await queryRunner.query(`
      INSERT INTO reward_payout_commission (payout_id, commission_id, amount)
      SELECT p.payout_id, c.value->>'commissionId',
             CASE WHEN jsonb_array_length(p.covered_commissions) = 1 THEN p.amount ELSE coalesce(r.amount, 0) END
        FROM payout p CROSS JOIN LATERAL jsonb_array_elements(p.covered_commissions) c
        LEFT JOIN reward_commission r ON r.commission_id = c.value->>'commissionId'
       WHERE c.value->>'source' = 'firstpromoter'
      ON CONFLICT DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reward_payout_commission');
    await queryRunner.query('DROP TABLE firstpromoter_approval');
    await queryRunner.query('ALTER TABLE reward_fulfilment DROP COLUMN batch_action, DROP COLUMN told, DROP COLUMN wanted');
  }
}
