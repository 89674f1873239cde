import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each payout covered, as the ledger records it when it applies PayoutExecuted: one row per
 * commission the event lists with an amount, in the event's order, written once and never
 * rewritten (a later return shows as uncollected, it does not move the record). The rebuild's
 * bulk load writes the same rows from the replayed events, and compares them with the live ones.
 * Published to readers as `ledger.payout_coverage` beside the other ledger views.
 */
export class PayoutCoverage1763700017500 implements MigrationInterface {
  name = 'PayoutCoverage1763700017500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION upgrade_ledger_projection_coverage(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        EXECUTE format($sql$
          CREATE TABLE %I.payout_coverage (
            payout_id text NOT NULL,
            -- The commission's place in the event's list: the run's order (clawbacks settled first, then oldest purchase first).
            position integer NOT NULL,
            aui text NOT NULL,
            unit text NOT NULL,
            source text NOT NULL,
            commission_id text NOT NULL,
            -- Negative for a settled return, or a clawback the payout settled.
            amount numeric NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT payout_coverage_pkey PRIMARY KEY (payout_id, source, commission_id)
          )$sql$, target_schema);
        -- A user's transactions read what covered them.
        EXECUTE format('CREATE INDEX payout_coverage_by_commission ON %I.payout_coverage (aui, source, commission_id)', target_schema);
      END
      $fn$`);
    await queryRunner.query('ALTER FUNCTION create_ledger_projection(text) RENAME TO create_ledger_projection_before_coverage');
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_projection(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM create_ledger_projection_before_coverage(target_schema);
        PERFORM upgrade_ledger_projection_coverage(target_schema);
      END
      $fn$`);
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query('SELECT upgrade_ledger_projection_coverage($1)', [schema_name]);

    // The read contract gains ledger.payout_coverage, republished with the other views at a rebuild's switch.
    await queryRunner.query('ALTER FUNCTION publish_ledger_views(text) RENAME TO publish_ledger_views_before_coverage');
    await queryRunner.query(`
      CREATE FUNCTION publish_ledger_views(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM publish_ledger_views_before_coverage(target_schema);
        -- What each payout covered, in the run's order.
        EXECUTE format($sql$
          CREATE OR REPLACE VIEW ledger.payout_coverage AS
          SELECT payout_id, position, aui, unit, source, commission_id, amount
            FROM %1$I.payout_coverage$sql$, target_schema);
      END
      $fn$`);
    await queryRunner.query(`SELECT publish_ledger_views(schema_name) FROM projection_pointer WHERE name = 'ledger'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW ledger.payout_coverage');
    await queryRunner.query('DROP FUNCTION publish_ledger_views(text)');
    await queryRunner.query('ALTER FUNCTION publish_ledger_views_before_coverage(text) RENAME TO publish_ledger_views');
    await queryRunner.query('DROP FUNCTION create_ledger_projection(text)');
    await queryRunner.query('ALTER FUNCTION create_ledger_projection_before_coverage(text) RENAME TO create_ledger_projection');
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query(`DROP TABLE IF EXISTS "${schema_name}".payout_coverage`);
    await queryRunner.query('DROP FUNCTION upgrade_ledger_projection_coverage(text)');
  }
}
