import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The query API lists a user's payouts newest first; without this index that is a scan of every
 * user's payouts. The index belongs to the projection, so it must exist in every projection
 * schema, including the ones a rebuild creates later: create_ledger_projection is wrapped (not
 * copied) so it adds the query indexes after the tables. A later migration that redefines
 * create_ledger_projection must keep calling create_ledger_query_indexes.
 */
export class IndexPayoutsByAui1763700007100 implements MigrationInterface {
  name = 'IndexPayoutsByAui1763700007100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_query_indexes(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        -- A user's payouts, newest first (the query API's payouts connection).
        EXECUTE format('CREATE INDEX IF NOT EXISTS applied_payout_by_aui_executed_at ON %I.applied_payout (aui, executed_at DESC, payout_id)', target_schema);
      END
      $fn$`);
    await queryRunner.query('ALTER FUNCTION create_ledger_projection(text) RENAME TO create_ledger_projection_tables');
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_projection(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM create_ledger_projection_tables(target_schema);
        PERFORM create_ledger_query_indexes(target_schema);
      END
      $fn$`);
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query('SELECT create_ledger_query_indexes($1)', [schema_name]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query(`DROP INDEX IF EXISTS "${schema_name}".applied_payout_by_aui_executed_at`);
    await queryRunner.query('DROP FUNCTION create_ledger_projection(text)');
    await queryRunner.query('ALTER FUNCTION create_ledger_projection_tables(text) RENAME TO create_ledger_projection');
    await queryRunner.query('DROP FUNCTION create_ledger_query_indexes(text)');
  }
}
