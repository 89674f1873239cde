import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest's FirstPromoter memory: the promoter directory (the API's commissions name a promoter
 * without its `cust_id`), the campaigns that send webhooks v2 (a legacy fulfilment of such a
 * campaign is counted there), the version date given to each distinct content of a commission
 * (`status_updated_at` alone does not move on amount or attribution changes), and the legacy
 * fulfilments left pending, for the operator.
 */
export class FirstPromoterDirectoryAndVersions1763700011000 implements MigrationInterface {
  name = 'FirstPromoterDirectoryAndVersions1763700011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE firstpromoter_promoter (
        promoter_id text PRIMARY KEY,
        -- The partner's user id. Never cleared: a later payload without it does not move money away from the known user.
        user_id text NOT NULL,
        learnt_from text NOT NULL CHECK (learnt_from IN ('webhook', 'legacy-webhook', 'promoters-api')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE firstpromoter_v2_campaign (
        campaign_id text PRIMARY KEY,
        first_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE firstpromoter_commission_version (
        commission_id text NOT NULL,
        -- sha256 of state, status, amount, unit and owner: the same content always keeps its first date.
        content_key text NOT NULL,
        -- Text, exactly as published: the observation id is computed from it.
        version_date text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT firstpromoter_commission_version_content PRIMARY KEY (commission_id, content_key)
      )`);
    await queryRunner.query(`
      CREATE TABLE firstpromoter_legacy_pending (
        event_id text PRIMARY KEY,
        reason text NOT NULL CHECK (reason IN ('no-user', 'unit-not-delivered', 'counted-by-webhooks-v2')),
        fulfilment_id text,
        unit text,
        campaign_id text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE firstpromoter_legacy_pending');
    await queryRunner.query('DROP TABLE firstpromoter_commission_version');
    await queryRunner.query('DROP TABLE firstpromoter_v2_campaign');
    await queryRunner.query('DROP TABLE firstpromoter_promoter');
  }
}
