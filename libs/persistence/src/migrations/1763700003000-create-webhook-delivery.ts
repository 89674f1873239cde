import { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhook deliveries already recorded (FirstPromoter `event_id`): the idempotency key of a delivery. */
export class CreateWebhookDelivery1763700003000 implements MigrationInterface {
  name = 'CreateWebhookDelivery1763700003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_delivery (
        source text NOT NULL,
        delivery_id text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_delivery_pkey PRIMARY KEY (source, delivery_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE webhook_delivery');
  }
}
