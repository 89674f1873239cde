import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's rule, defined once, as PostgreSQL functions every reader and writer of the ledger
 * calls: the live projector (which applies a chunk set-based), the rebuild's bulk load, the
 * history and point-in-time queries, and the `available` figure of every balance. A plain
 * TypeScript fold in the tests (libs/domain/src/ledger/__tests__/ledger-oracle.ts) is the oracle
 * these are checked against, on random streams.
 *
 * The functions are plain SQL, IMMUTABLE and without STRICT, so PostgreSQL inlines them into the
 * statements that call them: they cost what the CASE expression costs, not a function call per row.
 * A new release that changes the rule replaces them in a new migration (CREATE OR REPLACE) and
 * rebuilds the projection by replay.
 */
export class LedgerRule1763700012000 implements MigrationInterface {
  name = 'LedgerRule1763700012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Which version of a commission wins: one whose modified date is strictly newer (to the
    // microsecond: timestamptz keeps them) than every version known before it. Equal or older is a
    // duplicate: sources resend the same version, and an older one may arrive late.
    await queryRunner.query(`
      CREATE FUNCTION ledger_supersedes(candidate timestamptz, newest_known timestamptz) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT newest_known IS NULL OR candidate > newest_known $$`);

    // What the latest version of a commission adds to one figure of its (AUI, unit) balance.
    // Additive within one state, network split and sign of the amount. An unknown figure or state
    // gives NULL, which the balance table's NOT NULL columns refuse: a programmer error, never a zero.
    await queryRunner.query(`
      CREATE FUNCTION ledger_commission_figure(figure text, state text, user_amount numeric, paid_by_network boolean) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE
          WHEN state NOT IN ('PENDING', 'CONFIRMED', 'READY', 'PAYABLE', 'REJECTED') THEN NULL
          WHEN figure IN ('paid_out', 'reserved') THEN 0
          -- Rejected (disqualified, denied, deleted) counts nowhere.
          WHEN state = 'REJECTED' THEN CASE WHEN figure IN ('lifetime', 'pending', 'payable', 'paid_by_network', 'pending_reversals') THEN 0 END
          WHEN figure = 'lifetime' THEN user_amount
          -- Expected, not yet eligible; a negative amount not yet settled is a known reversal payouts withhold.
          WHEN state IN ('PENDING', 'CONFIRMED', 'READY') THEN CASE figure
            WHEN 'pending' THEN user_amount
            WHEN 'pending_reversals' THEN least(user_amount, 0)
            WHEN 'payable' THEN 0
            WHEN 'paid_by_network' THEN 0 END
          -- Eligible. The network already paid a device split to the user: the partner must never pay it again.
          ELSE CASE figure
            WHEN 'payable' THEN CASE WHEN paid_by_network THEN 0 ELSE user_amount END
            WHEN 'paid_by_network' THEN CASE WHEN paid_by_network THEN user_amount ELSE 0 END
            WHEN 'pending' THEN 0
            WHEN 'pending_reversals' THEN 0 END
        END $$`);

    // How a payout counts on its (AUI, unit): held while requested or at the provider, paid out
    // once it succeeded, nothing once it failed or came back.
    await queryRunner.query(`
      CREATE FUNCTION ledger_payout_figure(figure text, state text, amount numeric) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE
          WHEN state NOT IN ('requested', 'submitted', 'succeeded', 'failed', 'returned') THEN NULL
          WHEN figure = 'reserved' THEN CASE WHEN state IN ('requested', 'submitted') THEN amount ELSE 0 END
          WHEN figure = 'paid_out' THEN CASE WHEN state = 'succeeded' THEN amount ELSE 0 END
          WHEN figure IN ('lifetime', 'pending', 'payable', 'paid_by_network', 'pending_reversals') THEN 0
        END $$`);

    // What the user may still be paid: negative after a return that followed a payout (a clawback).
    // trim_scale keeps one text form per value (numeric addition keeps its operands' scale).
    await queryRunner.query(`
      CREATE FUNCTION ledger_available(payable numeric, paid_out numeric, reserved numeric) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT trim_scale(payable - paid_out - reserved) $$`);

    await queryRunner.query(`
      CREATE FUNCTION upgrade_ledger_projection_rule(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        -- available from the rule's function, not from an expression of its own.
        EXECUTE format('ALTER TABLE %I.balance DROP COLUMN available', target_schema);
        EXECUTE format('ALTER TABLE %I.balance ADD COLUMN available numeric GENERATED ALWAYS AS (ledger_available(payable, paid_out, reserved)) STORED', target_schema);
        -- A state the rule does not know would count nowhere: refuse it at the door.
        EXECUTE format($sql$ALTER TABLE %I.commission ADD CONSTRAINT commission_state_known CHECK (state IN ('PENDING', 'CONFIRMED', 'READY', 'PAYABLE', 'REJECTED'))$sql$, target_schema);
        -- A user's versions in time order: earnings over time and balances as of a moment read them by AUI,
        -- and the rule needs each version's network split (NULL in versions written before this release: a rebuild fills it).
        EXECUTE format('CREATE INDEX commission_version_by_aui ON %I.commission_version (aui, modified_date)', target_schema);
        EXECUTE format('ALTER TABLE %I.commission_version ADD COLUMN paid_by_network boolean', target_schema);
        -- When ingest observed the oldest observation behind an outbox event: the relay measures freshness from it.
        EXECUTE format('ALTER TABLE %I.outbox ADD COLUMN observed_at timestamptz', target_schema);
        -- Outbox events are written once and relayed as text: json keeps the text as built, without jsonb's conversion both ways.
        EXECUTE format('ALTER TABLE %I.outbox ALTER COLUMN payload TYPE json, ALTER COLUMN headers TYPE json', target_schema);
      END
      $fn$`);
    await queryRunner.query('ALTER FUNCTION create_ledger_projection(text) RENAME TO create_ledger_projection_before_rule');
    await queryRunner.query(`
      CREATE FUNCTION create_ledger_projection(target_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM create_ledger_projection_before_rule(target_schema);
        PERFORM upgrade_ledger_projection_rule(target_schema);
      END
      $fn$`);
    const schemas: { schema_name: string }[] = await queryRunner.query(`SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^ledger_[0-9]+$'`);
    for (const { schema_name } of schemas) await queryRunner.query('SELECT upgrade_ledger_projection_rule($1)', [schema_name]);
  }

  async down(): Promise<void> {
    throw new Error('LedgerRule1763700012000 cannot be reverted; restore the previous release and rebuild the projection by replay');
  }
}
