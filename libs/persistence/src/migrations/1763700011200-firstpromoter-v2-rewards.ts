import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A legacy fulfilment and a webhooks v2 commission of the same reward must count once. Nothing
 * documented ties a legacy fulfilment id to a commission id, so the same reward is recognised by
 * what both say: campaign, user, unit and amount of an approved v2 commission not yet claimed by
 * another legacy event. This replaces the per-campaign table: a campaign can send both channels
 * for different rewards (the shared fixtures do).
 */
export class FirstPromoterV2Rewards1763700011200 implements MigrationInterface {
  name = 'FirstPromoterV2Rewards1763700011200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE firstpromoter_v2_campaign');
    await queryRunner.query(`
      CREATE TABLE firstpromoter_v2_reward (
        commission_id text PRIMARY KEY,
        campaign_id text NOT NULL,
        aui text NOT NULL,
        unit text NOT NULL,
        amount numeric NOT NULL,
        -- The legacy event counted as this reward: its retries find the same row, another event another row.
        legacy_event_id text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX firstpromoter_v2_reward_match ON firstpromoter_v2_reward (campaign_id, aui, unit, amount)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE firstpromoter_v2_reward');
    await queryRunner.query('CREATE TABLE firstpromoter_v2_campaign (campaign_id text PRIMARY KEY, first_seen_at timestamptz NOT NULL DEFAULT now())');
  }
}
