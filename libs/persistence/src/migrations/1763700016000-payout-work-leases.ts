import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 22: any number of payout processes share the work in flight. A process claims a row (a
 * payout to submit, poll or watch for a return; a FirstPromoter commission to approve, mark or
 * unmark) by writing its lease: `lease_owner` names the process, and until `lease_expires_at` no
 * other process takes the row. A process that dies leaves its leases to expire; the others then
 * take the rows over. A process writes an attempt's outcome only while the lease is still its own.
 * And what the provider last said of a payout still on its way (PayPal item ONHOLD, UNCLAIMED...)
 * is kept for operators.
 */
export class PayoutWorkLeases1763700016000 implements MigrationInterface {
  name = 'PayoutWorkLeases1763700016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payout
        ADD COLUMN lease_owner text,
        ADD COLUMN lease_expires_at timestamptz,
        -- The provider's word for where a payout in flight is (PayPal item ONHOLD, gift card order PENDING); null once it says nothing more.
        ADD COLUMN provider_status text`);
    for (const table of ['reward_fulfilment', 'firstpromoter_approval']) {
      await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN lease_owner text, ADD COLUMN lease_expires_at timestamptz`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['firstpromoter_approval', 'reward_fulfilment']) {
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN lease_expires_at, DROP COLUMN lease_owner`);
    }
    await queryRunner.query('ALTER TABLE payout DROP COLUMN provider_status, DROP COLUMN lease_expires_at, DROP COLUMN lease_owner');
  }
}
