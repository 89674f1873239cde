import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payout service's side of holds and returns: a payout that succeeded can still come back
 * (`returned`), so it is polled until `return_watch_until`; the balance view keeps the ledger's
 * reserved and pending reversals, which spendableOf needs.
 */
export class PayoutReturnsAndViewFigures1763700010100 implements MigrationInterface {
  name = 'PayoutReturnsAndViewFigures1763700010100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE payout DROP CONSTRAINT payout_state_check');
    await queryRunner.query(`ALTER TABLE payout ADD CONSTRAINT payout_state_check CHECK (state IN ('requested', 'submitted', 'succeeded', 'failed', 'returned'))`);
    // PayPal returns an unclaimed payment after 30 days; until the watch ends, a succeeded payout is polled now and then.
    await queryRunner.query('ALTER TABLE payout ADD COLUMN return_watch_until timestamptz');
    await queryRunner.query(`CREATE INDEX payout_watched_for_return ON payout (next_attempt_at) WHERE state = 'succeeded' AND return_watch_until IS NOT NULL`);
    await queryRunner.query('ALTER TABLE payout_balance ADD COLUMN reserved numeric NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE payout_balance ADD COLUMN pending_reversals numeric NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE payout_balance DROP COLUMN pending_reversals');
    await queryRunner.query('ALTER TABLE payout_balance DROP COLUMN reserved');
    await queryRunner.query('DROP INDEX payout_watched_for_return');
    await queryRunner.query('ALTER TABLE payout DROP COLUMN return_watch_until');
    await queryRunner.query('ALTER TABLE payout DROP CONSTRAINT payout_state_check');
    await queryRunner.query(`ALTER TABLE payout ADD CONSTRAINT payout_state_check CHECK (state IN ('requested', 'submitted', 'succeeded', 'failed'))`);
  }
}
