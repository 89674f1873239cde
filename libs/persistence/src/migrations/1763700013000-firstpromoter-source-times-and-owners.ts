import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest's FirstPromoter memory, issue 23: each version row keeps the source's own times (the
 * commission's time and the event time that breaks ties), so a late retry is dated where it
 * happened instead of after the newest version; and the observation it was published as, so an
 * operator's move republishes it under a new owner. Each commission keeps the owner it was first
 * observed with. The legacy/v2 match table goes: with v2 recording commissions, the legacy webhook
 * books nothing.
 */
export class FirstPromoterSourceTimesAndOwners1763700013000 implements MigrationInterface {
  name = 'FirstPromoterSourceTimesAndOwners1763700013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE firstpromoter_commission_version
        -- status_updated_at / updated_at / the deletion's time, canonical. Rows from before knew only their date.
        ADD COLUMN source_time text,
        -- The webhook envelope's timestamp, or when a pull listed it: orders versions sharing a source time.
        ADD COLUMN tie_time text,
        -- The CommissionObserved published for this version (no secrets: observations carry none).
        ADD COLUMN observation jsonb`);
    await queryRunner.query('UPDATE firstpromoter_commission_version SET source_time = version_date');
    await queryRunner.query('ALTER TABLE firstpromoter_commission_version ALTER COLUMN source_time SET NOT NULL');
    // The same content can come back later as a new version (an amount changed and changed back): keyed by its date too.
    await queryRunner.query(`
      ALTER TABLE firstpromoter_commission_version DROP CONSTRAINT firstpromoter_commission_version_content,
        ADD CONSTRAINT firstpromoter_commission_version_key PRIMARY KEY (commission_id, content_key, version_date)`);
    await queryRunner.query(`
      CREATE TABLE firstpromoter_commission_owner (
        commission_id text PRIMARY KEY,
        -- Decided when the commission is first observed with a user, then kept; only an operator moves it.
        aui text NOT NULL,
        decided_by text NOT NULL CHECK (decided_by IN ('first-observation', 'operator')),
        reason text,
        -- The latest other user a payload named (a renamed reward, a new cust_id): shown to operators, never applied.
        source_names_aui text,
        decided_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX firstpromoter_commission_owner_disagreements ON firstpromoter_commission_owner (updated_at) WHERE source_names_aui IS NOT NULL');
    await queryRunner.query('DROP TABLE firstpromoter_v2_reward');
    await queryRunner.query('ALTER TABLE firstpromoter_legacy_pending DROP CONSTRAINT firstpromoter_legacy_pending_reason_check');
    await queryRunner.query(`UPDATE firstpromoter_legacy_pending SET reason = 'counted-by-v2' WHERE reason = 'counted-by-webhooks-v2'`);
    await queryRunner.query(`ALTER TABLE firstpromoter_legacy_pending ADD CONSTRAINT firstpromoter_legacy_pending_reason_check CHECK (reason IN ('no-user', 'unit-not-delivered', 'counted-by-v2'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE firstpromoter_legacy_pending DROP CONSTRAINT firstpromoter_legacy_pending_reason_check');
    await queryRunner.query(`UPDATE firstpromoter_legacy_pending SET reason = 'counted-by-webhooks-v2' WHERE reason = 'counted-by-v2'`);
    await queryRunner.query(`ALTER TABLE firstpromoter_legacy_pending ADD CONSTRAINT firstpromoter_legacy_pending_reason_check CHECK (reason IN ('no-user', 'unit-not-delivered', 'counted-by-webhooks-v2'))`);
    await queryRunner.query(`
      CREATE TABLE firstpromoter_v2_reward (
        commission_id text PRIMARY KEY, campaign_id text NOT NULL, aui text NOT NULL, unit text NOT NULL, amount numeric NOT NULL,
        legacy_event_id text UNIQUE, created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX firstpromoter_v2_reward_match ON firstpromoter_v2_reward (campaign_id, aui, unit, amount)');
    await queryRunner.query('DROP TABLE firstpromoter_commission_owner');
    await queryRunner.query(`
      DELETE FROM firstpromoter_commission_version v USING firstpromoter_commission_version w
       WHERE v.commission_id = w.commission_id AND v.content_key = w.content_key AND v.version_date::timestamptz > w.version_date::timestamptz`);
    await queryRunner.query(`
      ALTER TABLE firstpromoter_commission_version DROP CONSTRAINT firstpromoter_commission_version_key,
        ADD CONSTRAINT firstpromoter_commission_version_content PRIMARY KEY (commission_id, content_key)`);
    await queryRunner.query('ALTER TABLE firstpromoter_commission_version DROP COLUMN observation, DROP COLUMN tie_time, DROP COLUMN source_time');
  }
}
