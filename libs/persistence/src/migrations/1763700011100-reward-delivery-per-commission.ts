import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payout service's own record of FirstPromoter reward commissions, learnt from the
 * commission-observed topic (it no longer reads the ledger's tables), and per-commission state of
 * telling FirstPromoter: attempts, backoff, the batch process being followed, the last error.
 */
export class RewardDeliveryPerCommission1763700011100 implements MigrationInterface {
  name = 'RewardDeliveryPerCommission1763700011100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE reward_commission (
        commission_id text PRIMARY KEY,
        aui text NOT NULL,
        unit text NOT NULL,
        amount numeric NOT NULL,
        state text NOT NULL,
        -- The observation's modified date: only a strictly newer version replaces the row, as in the ledger.
        version_date timestamptz NOT NULL,
        observation_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX reward_commission_by_aui_unit ON reward_commission (aui, unit)');
    // Deliveries of one commission are found by what the payout covered.
    await queryRunner.query('CREATE INDEX payout_covered_commissions ON payout USING gin (covered_commissions jsonb_path_ops)');
    await queryRunner.query(`
      ALTER TABLE reward_fulfilment
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN last_error text,
        -- A batch process (more than 5 ids) still running: followed by its id, never re-posted.
        ADD COLUMN batch_id bigint,
        -- Refused within a call of several ids: tried alone from then on, so it holds back no other.
        ADD COLUMN alone boolean NOT NULL DEFAULT false,
        ADD COLUMN given_up_at timestamptz`);
    // Legacy fulfilments were completed by FirstPromoter when ingest answered 200: they were never markable.
    await queryRunner.query(`DELETE FROM reward_fulfilment WHERE commission_id !~ '^[0-9]{1,15}$'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE reward_fulfilment DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN batch_id, DROP COLUMN alone, DROP COLUMN given_up_at`);
    await queryRunner.query('DROP INDEX payout_covered_commissions');
    await queryRunner.query('DROP TABLE reward_commission');
  }
}
