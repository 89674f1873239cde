import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger learns every step of a payout (requested, submitted, succeeded, failed, returned), not
 * only executed ones: `payout` replaces `applied_payout` and carries the state, so holds show in
 * `reserved` and GraphQL lists payouts in flight. Balances gain `pending_reversals`, the returns
 * not settled yet that payouts withhold. As with the query indexes, create_ledger_projection is
 * wrapped, not copied: every new projection schema (a rebuild's too) gets the same upgrade.
 */
export class PayoutHoldsAndReturns1763700010000 implements MigrationInterface {
  name = 'PayoutHoldsAndReturns1763700010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION upgrade_ledger_projection_payout_states(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        EXECUTE format('ALTER TABLE %I.balance ADD COLUMN pending_reversals numeric NOT NULL DEFAULT 0', target_schema);
        -- One row per payout id; its state only moves up (see libs/domain ledger-payout.ts), whatever order the payout topics arrive in.
        EXECUTE format($sql$
          CREATE TABLE %I.payout (
            payout_id text PRIMARY KEY,
            aui text NOT NULL,
            unit text NOT NULL,
            amount numeric NOT NULL,
            method text NOT NULL,
            state text NOT NULL CHECK (state IN ('requested', 'submitted', 'succeeded', 'failed', 'returned')),
            requested_at timestamptz,
            executed_at timestamptz,
            ended_at timestamptz,
            end_reason text,
            -- Derived from the final fields only, so a replay in another order lists payouts the same way.
            listed_at timestamptz GENERATED ALWAYS AS (coalesce(requested_at, executed_at, ended_at)) STORED,
            updated_at timestamptz NOT NULL DEFAULT now()
          )$sql$, target_schema);
        EXECUTE format($sql$
          INSERT INTO %1$I.payout (payout_id, aui, unit, amount, method, state, executed_at)
          SELECT payout_id, aui, unit, amount, method, 'succeeded', executed_at FROM %1$I.applied_payout$sql$, target_schema);
        EXECUTE format('DROP TABLE %I.applied_payout', target_schema);
        -- A user's payouts, newest first (the query API's payouts connection).
        EXECUTE format('CREATE INDEX payout_by_aui_listed_at ON %I.payout (aui, listed_at DESC, payout_id)', target_schema);
      END
      $fn$`);
    await queryRunner.query('ALTER FUNCTION create_ledger_projection(text) RENAME TO create_ledger_projection_before_payout_states');
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_projection(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM create_ledger_projection_before_payout_states(target_schema);
        PERFORM upgrade_ledger_projection_payout_states(target_schema);
      END
      $fn$`);
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query('SELECT upgrade_ledger_projection_payout_states($1)', [schema_name]);
  }

  async down(): Promise<void> {
    // Failed, requested and returned payouts have no place in the old layout: rebuild the projection by replay instead.
    throw new Error('PayoutHoldsAndReturns1763700010000 cannot be reverted; restore the previous release and rebuild the projection by replay');
  }
}
