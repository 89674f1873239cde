import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the operations exporter reads, published by each table's owner so no reader touches another
 * app's tables: the ledger projector's outbox backlog (`ledger.outbox_backlog`, republished with the
 * other ledger views at a rebuild's switch), the payout service's outbox backlog and payout counts
 * (`payout_outbox_backlog`, `payout_count`), and ingest's sync watermarks (`partner_sync_watermark`).
 * Like the ledger views these are read contracts: a release may add a column at the end.
 */
export class OperationsViews1763700018500 implements MigrationInterface {
  name = 'OperationsViews1763700018500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER FUNCTION publish_ledger_views(text) RENAME TO publish_ledger_views_before_outbox_backlog');
    await queryRunner.query(`
      CREATE FUNCTION publish_ledger_views(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM publish_ledger_views_before_outbox_backlog(target_schema);
        -- BalanceChanged events written and not yet on Kafka: how many, and since when.
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.outbox_backlog AS
          SELECT count(*)::bigint AS unpublished, min(created_at) AS oldest_created_at
            FROM %1$I.outbox WHERE published_at IS NULL$sql$, target_schema);
      END
      $fn$`);
    await queryRunner.query(`SELECT publish_ledger_views(schema_name) FROM projection_pointer WHERE name = 'ledger'`);
    // The payout service's: its outbox backlog, and its payouts counted by state and method.
    await queryRunner.query(`
      CREATE VIEW payout_outbox_backlog AS
      SELECT count(*)::bigint AS unpublished, min(created_at) AS oldest_created_at FROM payout_outbox WHERE published_at IS NULL`);
    await queryRunner.query(`
      CREATE VIEW payout_count AS
      SELECT state, method, count(*)::bigint AS payouts FROM payout GROUP BY state, method`);
    // Ingest's: when each partner API sync last moved its watermark (all its windows in).
    await queryRunner.query('CREATE VIEW partner_sync_watermark AS SELECT name, synced_through, updated_at FROM sync_watermark');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW partner_sync_watermark');
    await queryRunner.query('DROP VIEW payout_count');
    await queryRunner.query('DROP VIEW payout_outbox_backlog');
    await queryRunner.query('DROP VIEW ledger.outbox_backlog');
    await queryRunner.query('DROP FUNCTION publish_ledger_views(text)');
    await queryRunner.query('ALTER FUNCTION publish_ledger_views_before_outbox_backlog(text) RENAME TO publish_ledger_views');
  }
}
