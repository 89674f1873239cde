import { MigrationInterface, QueryRunner } from 'typeorm';

/** The payout service's own view of available balances, fed by earnings.balance-changed.v1. */
export class CreatePayoutBalance1763700001000 implements MigrationInterface {
  name = 'CreatePayoutBalance1763700001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE payout_balance (
        aui text NOT NULL,
        unit text NOT NULL,
        available numeric NOT NULL,
        paid_out numeric NOT NULL,
        -- The ledger's per-AUI sequence of the last change applied: older or repeated events are dropped.
        balance_sequence bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payout_balance_pkey PRIMARY KEY (aui, unit)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE payout_balance');
  }
}
