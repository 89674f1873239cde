import { MigrationInterface, QueryRunner } from 'typeorm';

/** State of the Wildfire Commission API sync that must survive a restart. */
export class CreateWildfireSync1763700002000 implements MigrationInterface {
  name = 'CreateWildfireSync1763700002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Moves only after every page of a window is in Kafka; the next window starts before it by an overlap.
    await queryRunner.query(`
      CREATE TABLE sync_watermark (
        name text PRIMARY KEY,
        synced_through timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Wildfire rejects calls closer than 5 s; this row keeps that true across restarts and replicas.
    await queryRunner.query(`
      CREATE TABLE partner_api_pacing (
        api text PRIMARY KEY,
        last_request_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE partner_api_pacing');
    await queryRunner.query('DROP TABLE sync_watermark');
  }
}
