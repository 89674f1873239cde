import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What only the payout service knows, published for the query service (which reads this view,
 * never the payout table): per (AUI, unit), its payouts requested, at the provider, or succeeded
 * and not returned. spendableOf takes the larger of this and the ledger's paid out + reserved,
 * because the ledger hears of a payout through the topics a moment later. The view is the read
 * contract: a release may add a column at the end; renaming or removing one is a new view. The
 * payout run reads it too, so what "committed" means has one definition.
 */
export class PayoutCommitment1763700016500 implements MigrationInterface {
  name = 'PayoutCommitment1763700016500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE VIEW payout_commitment AS
      SELECT aui, unit,
             coalesce(sum(amount) FILTER (WHERE state IN ('requested', 'submitted', 'succeeded')), 0) AS committed,
             coalesce(sum(amount) FILTER (WHERE state IN ('requested', 'submitted')), 0) AS in_flight,
             -- Every payout of the balance, whatever its state: a run's idempotency key names the next one.
             count(*) AS payout_count
        FROM payout
       GROUP BY aui, unit`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW payout_commitment');
  }
}
