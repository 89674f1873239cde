import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `commission_version` stops carrying a second copy of every observation as jsonb (Kafka keeps the
 * observation forever, and the copy made each applied event four times as expensive to write): a
 * version now points at its event of record, `earnings.commission-observed.v1` at
 * (event_partition, event_offset), with its observation id; `commission` gains the one field of
 * the observation GraphQL still needs, the source's locking date. Rows written before this migration
 * keep no reference (NULL); a rebuild fills them. Wrapped like the earlier upgrades, so every new
 * projection schema gets it.
 */
export class LeanCommissionVersions1763700010200 implements MigrationInterface {
  name = 'LeanCommissionVersions1763700010200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION upgrade_ledger_projection_lean_versions(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        EXECUTE format('ALTER TABLE %I.commission_version DROP COLUMN observation', target_schema);
        EXECUTE format('ALTER TABLE %I.commission_version ADD COLUMN event_partition integer, ADD COLUMN event_offset bigint', target_schema);
        -- What GraphQL needs of an observation lives in the lean rows: the locking date explains "pending until when".
        EXECUTE format('ALTER TABLE %I.commission ADD COLUMN locking_date timestamptz', target_schema);
      END
      $fn$`);
    await queryRunner.query('ALTER FUNCTION create_ledger_projection(text) RENAME TO create_ledger_projection_before_lean_versions');
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_projection(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM create_ledger_projection_before_lean_versions(target_schema);
        PERFORM upgrade_ledger_projection_lean_versions(target_schema);
      END
      $fn$`);
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query('SELECT upgrade_ledger_projection_lean_versions($1)', [schema_name]);
  }

  async down(): Promise<void> {
    // The dropped copies cannot come back from here: restore the previous release and rebuild the projection by replay.
    throw new Error('LeanCommissionVersions1763700010200 cannot be reverted; restore the previous release and rebuild the projection by replay');
  }
}
