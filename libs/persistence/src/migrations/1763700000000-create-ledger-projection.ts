import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's read model lives in its own schema, created by `create_ledger_projection(name)`,
 * so a rebuild by replay can build a complete second copy beside the live one and readers
 * switch between them through `projection_pointer`. Every table here is a projection of the
 * Kafka topics and can be thrown away and rebuilt.
 */
export class CreateLedgerProjection1763700000000 implements MigrationInterface {
  name = 'CreateLedgerProjection1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_pointer (
        name text PRIMARY KEY,
        schema_name text NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_projection(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        EXECUTE format('CREATE SCHEMA %I', target_schema);

        -- The latest version of every commission: identity (source, commission_id).
        EXECUTE format($sql$
          CREATE TABLE %I.commission (
            source text NOT NULL,
            commission_id text NOT NULL,
            aui text NOT NULL,
            unit text NOT NULL,
            user_amount numeric NOT NULL,
            application_amount numeric,
            state text NOT NULL,
            source_status text NOT NULL,
            paid_by_network boolean NOT NULL,
            sale_amount numeric,
            sale_currency text,
            application_id text,
            merchant_id text,
            merchant_order_id text,
            event_date timestamptz,
            modified_date timestamptz NOT NULL,
            observation_id text NOT NULL,
            channel text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT commission_pkey PRIMARY KEY (source, commission_id)
          )$sql$, target_schema);
        -- A user's transaction history, newest purchase first.
        EXECUTE format('CREATE INDEX commission_by_aui_event_date ON %I.commission (aui, event_date DESC NULLS LAST, source, commission_id)', target_schema);

        -- Every version that applied, for audit ("why did my balance change?").
        EXECUTE format($sql$
          CREATE TABLE %I.commission_version (
            source text NOT NULL,
            commission_id text NOT NULL,
            modified_date timestamptz NOT NULL,
            observation_id text NOT NULL,
            aui text NOT NULL,
            unit text NOT NULL,
            user_amount numeric NOT NULL,
            state text NOT NULL,
            source_status text NOT NULL,
            channel text NOT NULL,
            observation jsonb NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT commission_version_pkey PRIMARY KEY (source, commission_id, modified_date)
          )$sql$, target_schema);

        -- Per (AUI, unit) figures; available is derived so it can never disagree with its parts.
        EXECUTE format($sql$
          CREATE TABLE %I.balance (
            aui text NOT NULL,
            unit text NOT NULL,
            lifetime numeric NOT NULL DEFAULT 0,
            pending numeric NOT NULL DEFAULT 0,
            payable numeric NOT NULL DEFAULT 0,
            paid_by_network numeric NOT NULL DEFAULT 0,
            paid_out numeric NOT NULL DEFAULT 0,
            reserved numeric NOT NULL DEFAULT 0,
            available numeric GENERATED ALWAYS AS (trim_scale(payable - paid_out - reserved)) STORED,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT balance_pkey PRIMARY KEY (aui, unit)
          )$sql$, target_schema);

        -- Per-AUI sequence of BalanceChanged events, so consumers can drop stale ones.
        EXECUTE format($sql$
          CREATE TABLE %I.account (
            aui text PRIMARY KEY,
            balance_sequence bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now()
          )$sql$, target_schema);

        -- A payout id is applied once, however often payout-executed is replayed.
        EXECUTE format($sql$
          CREATE TABLE %I.applied_payout (
            payout_id text PRIMARY KEY,
            aui text NOT NULL,
            unit text NOT NULL,
            amount numeric NOT NULL,
            method text NOT NULL,
            executed_at timestamptz NOT NULL,
            payout jsonb NOT NULL
          )$sql$, target_schema);

        -- Offsets of record: written in the same transaction as the rows they produced.
        -- next_offset follows Kafka's convention: the next offset to read (last applied + 1).
        EXECUTE format($sql$
          CREATE TABLE %I.consumer_offset (
            consumer_group text NOT NULL,
            topic text NOT NULL,
            partition integer NOT NULL,
            next_offset bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT consumer_offset_pkey PRIMARY KEY (consumer_group, topic, partition)
          )$sql$, target_schema);

        -- Events announced by this projection, written with the rows they describe and relayed to Kafka.
        EXECUTE format($sql$
          CREATE TABLE %I.outbox (
            id bigserial PRIMARY KEY,
            topic text NOT NULL,
            message_key text NOT NULL,
            payload jsonb NOT NULL,
            headers jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz
          )$sql$, target_schema);
        EXECUTE format('CREATE INDEX outbox_unpublished ON %I.outbox (id) WHERE published_at IS NULL', target_schema);
      END
      $fn$`);
    await queryRunner.query(`SELECT create_ledger_projection('ledger_1')`);
    await queryRunner.query(`INSERT INTO projection_pointer (name, schema_name) VALUES ('ledger', 'ledger_1')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schemas: { schema_name: string }[] = await queryRunner.query(
      `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'ledger\\_%'`,
    );
    for (const { schema_name } of schemas) await queryRunner.query(`DROP SCHEMA "${schema_name}" CASCADE`);
    await queryRunner.query('DROP FUNCTION create_ledger_projection(text)');
    await queryRunner.query('DROP TABLE projection_pointer');
  }
}
