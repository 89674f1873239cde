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

    // What the latest version of a commission adds to one figure of its (AUI, unit) balance, and to
    // the two figures of its merchant order (order_payable, order_pending_negative) from which the
    // order's withheld amount comes (ledger_order_withheld). Additive within one state, network
    // split, sign of the amount and order. An unknown figure or state gives NULL, which the NOT NULL
    // columns the figures go to refuse: a programmer error, never a zero.
    await queryRunner.query(`
      CREATE FUNCTION ledger_commission_figure(figure text, state text, user_amount numeric, paid_by_network boolean, merchant_order_id text) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE
          WHEN state NOT IN ('PENDING', 'CONFIRMED', 'READY', 'PAYABLE', 'REJECTED') THEN NULL
          WHEN figure NOT IN ('lifetime', 'pending', 'payable', 'paid_by_network', 'paid_out', 'reserved', 'pending_reversals', 'order_payable', 'order_pending_negative') THEN NULL
          -- Rejected (disqualified, denied, deleted) counts nowhere; commissions never pay out or hold.
          WHEN state = 'REJECTED' OR figure IN ('paid_out', 'reserved') THEN 0
          WHEN figure = 'lifetime' THEN user_amount
          -- Expected, not yet eligible. A negative amount not yet settled is a known reversal: payouts
          -- withhold it; within its merchant order only up to what the order made payable (see
          -- ledger_order_withheld), in full when it names no order.
          WHEN state IN ('PENDING', 'CONFIRMED', 'READY') THEN CASE figure
            WHEN 'pending' THEN user_amount
            WHEN 'pending_reversals' THEN CASE WHEN merchant_order_id IS NULL THEN least(user_amount, 0) ELSE 0 END
            WHEN 'order_pending_negative' THEN CASE WHEN merchant_order_id IS NULL THEN 0 ELSE least(user_amount, 0) END
            ELSE 0 END
          -- Eligible. The network already paid a device split to the user: the partner must never pay it again.
          ELSE CASE figure
            WHEN 'payable' THEN CASE WHEN paid_by_network THEN 0 ELSE user_amount END
            WHEN 'paid_by_network' THEN CASE WHEN paid_by_network THEN user_amount ELSE 0 END
            WHEN 'order_payable' THEN CASE WHEN paid_by_network OR merchant_order_id IS NULL THEN 0 ELSE user_amount END
            ELSE 0 END
        END $$`);

    // What one merchant order withholds for its returns not settled yet: its pending negative
    // amounts, but never more than the order itself made payable (a pending return of an item still
    // pending offsets nothing that could be paid). 0 or less; it goes to the balance's pending_reversals.
    await queryRunner.query(`
      CREATE FUNCTION ledger_order_withheld(order_payable numeric, order_pending_negative numeric) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT greatest(order_pending_negative, -greatest(order_payable, 0)) $$`);

    // How a payout counts on its (AUI, unit): held while requested or at the provider, paid out
    // once it succeeded, nothing once it failed or came back.
    await queryRunner.query(`
      CREATE FUNCTION ledger_payout_figure(figure text, state text, amount numeric) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE
          WHEN state NOT IN ('requested', 'submitted', 'succeeded', 'failed', 'returned') THEN NULL
          WHEN figure = 'reserved' THEN CASE WHEN state IN ('requested', 'submitted') THEN amount ELSE 0 END
          WHEN figure = 'paid_out' THEN CASE WHEN state = 'succeeded' THEN amount ELSE 0 END
          WHEN figure IN ('lifetime', 'pending', 'payable', 'paid_by_network', 'pending_reversals', 'order_payable', 'order_pending_negative') THEN 0
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
        -- Merchant orders that hold a return not settled yet, with their two order figures: what the order
        -- withholds is ledger_order_withheld of them. An order leaves the table once it holds no such return.
        EXECUTE format($sql$
          CREATE TABLE %I.order_total (
            aui text NOT NULL,
            unit text NOT NULL,
            source text NOT NULL,
            merchant_id text NOT NULL,
            merchant_order_id text NOT NULL,
            payable numeric NOT NULL,
            pending_negative numeric NOT NULL,
            CONSTRAINT order_total_pkey PRIMARY KEY (aui, unit, source, merchant_id, merchant_order_id)
          )$sql$, target_schema);
        -- What an order made payable, read when it starts holding a return (only payable commissions of an order are indexed).
        EXECUTE format($sql$CREATE INDEX commission_payable_by_order ON %I.commission (aui, merchant_order_id) WHERE state = 'PAYABLE' AND merchant_order_id IS NOT NULL$sql$, target_schema);
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
