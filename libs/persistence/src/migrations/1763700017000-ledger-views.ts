import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the ledger projector publishes for other services to read: views in the schema `ledger`
 * over the projection readers are pointed at. The query service, the payout service, reconcile and
 * the operations exporter read these, never a `ledger_N` table, so the projection's tables stay the
 * projector's to change, and a rebuild's switch (which republishes the views in the same
 * transaction as it moves projection_pointer) reaches every reader at once.
 *
 * The views are the read contract: a release may add a column at the end; renaming or removing one
 * is a new view.
 */
export class LedgerViews1763700017000 implements MigrationInterface {
  name = 'LedgerViews1763700017000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS ledger');
    await queryRunner.query(`
      CREATE FUNCTION publish_ledger_views(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        -- Per (AUI, unit): the stored figures, available, what was paid out beyond what is payable today
        -- (a clawback the next earnings offset), and the AUI's BalanceChanged sequence (how far its events go).
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.balance AS
          SELECT b.aui, b.unit, b.lifetime, b.pending, b.payable, b.paid_by_network, b.paid_out, b.reserved, b.pending_reversals, b.available,
                 greatest(b.paid_out - b.payable, 0) AS uncollected, coalesce(a.balance_sequence, 0) AS balance_sequence, b.updated_at
            FROM %1$I.balance b LEFT JOIN %1$I.account a ON a.aui = b.aui$sql$, target_schema);
        -- The latest version of every commission.
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.commission AS
          SELECT source, commission_id, aui, unit, user_amount, application_amount, state, source_status, paid_by_network, sale_amount, sale_currency,
                 application_id, merchant_id, merchant_order_id, event_date, modified_date, locking_date, observation_id, channel, updated_at
            FROM %1$I.commission$sql$, target_schema);
        -- Every distinct version a source sent, with a reference to its event of record.
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.commission_version AS
          SELECT source, commission_id, modified_date, observation_id, aui, unit, user_amount, state, source_status, paid_by_network, channel,
                 event_partition, event_offset, applied_at
            FROM %1$I.commission_version$sql$, target_schema);
        -- Every payout as the ledger counts it (its state only moves up).
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.payout AS
          SELECT payout_id, aui, unit, amount, method, state, requested_at, executed_at, ended_at, end_reason, listed_at, updated_at
            FROM %1$I.payout$sql$, target_schema);
        -- Merchant orders holding a return not settled yet, and what each withholds (ledger_order_withheld).
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.order_withholding AS
          SELECT aui, unit, source, nullif(merchant_id, '') AS merchant_id, merchant_order_id, payable, pending_negative,
                 ledger_order_withheld(payable, pending_negative) AS withheld
            FROM %1$I.order_total$sql$, target_schema);
      END
      $fn$`);
    await queryRunner.query(`SELECT publish_ledger_views(schema_name) FROM projection_pointer WHERE name = 'ledger'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA ledger CASCADE');
    await queryRunner.query('DROP FUNCTION publish_ledger_views(text)');
  }
}
