import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payout service's records of record: payouts (their state is the reservation), the method
 * each user is paid by, and the outbox of events announced with each state change.
 */
export class CreatePayouts1763700009000 implements MigrationInterface {
  name = 'CreatePayouts1763700009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE payout (
        payout_id text PRIMARY KEY,
        -- (aui, unit, n-th payout of that balance): a second run racing the first collides here, never pays twice.
        idempotency_key text NOT NULL,
        aui text NOT NULL,
        unit text NOT NULL,
        amount numeric NOT NULL CHECK (amount > 0),
        method text NOT NULL,
        -- Where the money goes (PayPal email, gift card recipient); never a secret.
        destination text,
        -- requested and submitted hold the funds back from later runs; succeeded and failed are final.
        state text NOT NULL CHECK (state IN ('requested', 'submitted', 'succeeded', 'failed')),
        provider_reference text,
        failure_reason text,
        covered_commissions jsonb NOT NULL DEFAULT '[]',
        run_id text NOT NULL,
        attempt_count integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX payout_idempotency_key ON payout (idempotency_key)');
    await queryRunner.query('CREATE INDEX payout_by_aui_unit ON payout (aui, unit)');
    await queryRunner.query(`CREATE INDEX payout_in_flight ON payout (next_attempt_at) WHERE state IN ('requested', 'submitted')`);
    await queryRunner.query(`
      CREATE TABLE payout_method (
        aui text PRIMARY KEY,
        method text NOT NULL CHECK (method IN ('account_credit', 'paypal', 'gift_card')),
        destination text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE payout_outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX payout_outbox_unpublished ON payout_outbox (id) WHERE published_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE reward_fulfilment (
        -- A FirstPromoter commission is marked fulfilled once, whichever payout delivered it first.
        commission_id text PRIMARY KEY,
        payout_id text NOT NULL REFERENCES payout (payout_id),
        created_at timestamptz NOT NULL DEFAULT now(),
        marked_at timestamptz,
        -- The partner reported the delivery reversed; FirstPromoter is then told mark_unfulfilled once.
        reversed_at timestamptz,
        unmarked_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX reward_fulfilment_unmarked ON reward_fulfilment (created_at) WHERE marked_at IS NULL');
    await queryRunner.query('CREATE INDEX reward_fulfilment_reversed ON reward_fulfilment (reversed_at) WHERE reversed_at IS NOT NULL AND unmarked_at IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reward_fulfilment');
    await queryRunner.query('DROP TABLE payout_outbox');
    await queryRunner.query('DROP TABLE payout_method');
    await queryRunner.query('DROP TABLE payout');
  }
}
