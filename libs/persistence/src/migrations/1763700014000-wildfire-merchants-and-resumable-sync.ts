import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest's Wildfire memory, issue 24: the merchant directory (names and logos from Wildfire's
 * merchant API, published to readers as the view `wildfire_merchant_directory`), the tracking codes
 * that could not be an AUI (published as `unattributed_tracking_code`, for support), where an
 * unfinished Commission API window resumes, and when the merchant list was last read.
 */
export class WildfireMerchantsAndResumableSync1763700014000 implements MigrationInterface {
  name = 'WildfireMerchantsAndResumableSync1763700014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wildfire_merchant (
        merchant_id text PRIMARY KEY,
        name text,
        logo_url text,
        disabled boolean NOT NULL DEFAULT false,
        -- When Wildfire last described it (the daily list or a lookup by id); null: seen on a commission, not described yet.
        described_at timestamptz,
        -- When a lookup by id last asked for it; one Wildfire did not answer for is asked again a day later, not at every turn.
        looked_up_at timestamptz,
        first_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The lookup's queue: merchants seen on a commission and never described.
    await queryRunner.query('CREATE INDEX wildfire_merchant_to_describe ON wildfire_merchant (first_seen_at) WHERE described_at IS NULL');
    // What other services may read of the directory (the query service's Transaction.merchant): never the table itself.
    await queryRunner.query(`
      CREATE VIEW wildfire_merchant_directory AS
        SELECT merchant_id, name, logo_url FROM wildfire_merchant WHERE described_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE wildfire_tracking_code_as_sent (
        commission_id text NOT NULL,
        -- The version it came with: a later version that names the user has none.
        modified_date timestamptz NOT NULL,
        -- A visible JSON string literal (CommissionObserved.trackingCodeAsSent), never the raw bytes: those stay on the raw topic.
        tracking_code_as_sent text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wildfire_tracking_code_as_sent_version PRIMARY KEY (commission_id, modified_date)
      )`);
    await queryRunner.query(`
      CREATE VIEW unattributed_tracking_code AS
        SELECT 'wildfire'::text AS source, commission_id, modified_date, tracking_code_as_sent FROM wildfire_tracking_code_as_sent`);
    // Not in sync_watermark: that table's rows are the syncs whose staleness pages an operator.
    await queryRunner.query(`
      CREATE TABLE sync_resume_point (
        name text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        -- Every record modified before this is in Kafka; a restarted run pulls from here.
        resume_from timestamptz NOT NULL,
        pages bigint NOT NULL,
        records bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE partner_list_sync (
        name text PRIMARY KEY,
        completed_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE partner_list_sync');
    await queryRunner.query('DROP TABLE sync_resume_point');
    await queryRunner.query('DROP VIEW unattributed_tracking_code');
    await queryRunner.query('DROP TABLE wildfire_tracking_code_as_sent');
    await queryRunner.query('DROP VIEW wildfire_merchant_directory');
    await queryRunner.query('DROP TABLE wildfire_merchant');
  }
}
