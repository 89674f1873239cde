import { CloudEventHeaders, Topics } from '@earnings/contracts';
import { commissionFigureSql, commissionRuleColumns, ledgerFigureColumns, orderWithheldSql } from '@earnings/persistence';
import { ChunkSql } from './chunk-sql';

/** JSON names of the stored figures in BalanceChanged, beside their columns. */
const eventFieldOf: Record<(typeof ledgerFigureColumns)[number], string | null> = {
  lifetime: 'lifetime', pending: 'pending', payable: null, paid_by_network: 'paidByNetwork', paid_out: 'paidOut', reserved: 'reserved', pending_reversals: 'pendingReversals',
};

/**
 * The chunk's contributions (ledger_chunk_contribution, figures computed by the rule) added to the
 * balances, in three steps:
 * 1. every balance the chunk touches is upserted with its versions' and payouts' figures, in
 *    (AUI, unit) order, which locks them all (chunks of different partitions touching the same
 *    users never wait on each other in a circle, and never work out the same merchant order at once);
 * 2. what each merchant order the chunk touched withholds for its pending returns is worked out
 *    (order_total) and its change added to pending_reversals;
 * 3. live, each AUI's sequence moves on by its number of changed balances and one BalanceChanged per
 *    changed balance goes to the outbox.
 */
export class BalanceStatements {
  private readonly upsertSql: string;
  private readonly withholdingSql: string;
  private readonly withholdSql: string;
  private readonly applyWithheldSql: string;
  private readonly releaseSql: string;
  private readonly countChangedSql: string;
  private readonly announceSql: string;

  constructor(schema: string, headers: CloudEventHeaders) {
    const s = schema;
    const figures = ledgerFigureColumns.join(', ');
    const sums = ledgerFigureColumns.map((figure) => `trim_scale(sum(${figure})) AS ${figure}`).join(', ');
    const anyFigure = (alias: string) => ledgerFigureColumns.map((figure) => `${alias}.${figure} <> 0`).join(' OR ');

    this.upsertSql = `
      WITH delta AS (
        SELECT aui, unit, ${sums}, bool_or(order_id IS NOT NULL) AS orders
          FROM ledger_chunk_contribution GROUP BY aui, unit)
      INSERT INTO ${s}.balance AS b (aui, unit, ${figures})
      SELECT aui, unit, ${figures} FROM delta d WHERE ${anyFigure('d')} OR d.orders ORDER BY aui, unit
      ON CONFLICT (aui, unit) DO UPDATE SET ${ledgerFigureColumns.map((figure) => `${figure} = trim_scale(b.${figure} + EXCLUDED.${figure})`).join(', ')}, updated_at = now()`;

    const sameOrder = (t: string, d: string) =>
      `${t}.aui = ${d}.aui AND ${t}.unit = ${d}.unit AND ${t}.source = ${d}.order_source AND ${t}.merchant_id = ${d}.order_merchant AND ${t}.merchant_order_id = ${d}.order_id`;
    const withheld = orderWithheldSql;
    const zeroFigures = ledgerFigureColumns.filter((figure) => figure !== 'pending_reversals').map((figure) => `0 AS ${figure}`).join(', ');
    const ruleOf = commissionRuleColumns('c');
    // Orders that hold a return take the chunk's order figures; an order that starts holding one is read whole
    // (its other commissions too). What each withholds changes by withheld(after) - withheld(before): a
    // contribution row to pending_reversals, marked as the order's.
    this.withholdSql = `
      WITH order_delta AS (
        SELECT aui, unit, order_source, order_merchant, order_id, sum(order_payable) AS payable, sum(order_pending_negative) AS pending_negative, min(caused_by) AS caused_by
          FROM ledger_chunk_contribution WHERE order_id IS NOT NULL GROUP BY aui, unit, order_source, order_merchant, order_id),
      held AS (
        UPDATE ${s}.order_total t SET payable = t.payable + d.payable, pending_negative = t.pending_negative + d.pending_negative
          FROM order_delta d WHERE ${sameOrder('t', 'd')}
        RETURNING t.aui, t.unit, t.payable, t.pending_negative, d.payable AS delta_payable, d.pending_negative AS delta_pending_negative, d.caused_by),
      started AS (
        INSERT INTO ${s}.order_total (aui, unit, source, merchant_id, merchant_order_id, payable, pending_negative)
        SELECT d.aui, d.unit, d.order_source, d.order_merchant, d.order_id, whole.payable, whole.pending_negative
          FROM order_delta d
          -- Before the chunk it held no return, so its pending returns are the chunk's; what it made payable is read whole.
          CROSS JOIN LATERAL (
            SELECT coalesce(sum(${commissionFigureSql('order_payable', ...ruleOf)}), 0) AS payable, d.pending_negative
              FROM ${s}.commission c
             WHERE c.aui = d.aui AND c.merchant_order_id = d.order_id AND c.state = 'PAYABLE'
               AND c.unit = d.unit AND c.source = d.order_source AND coalesce(c.merchant_id, '') = d.order_merchant) whole
         WHERE d.pending_negative <> 0 AND NOT EXISTS (SELECT 1 FROM ${s}.order_total t WHERE ${sameOrder('t', 'd')})
        RETURNING aui, unit, source, merchant_id, merchant_order_id, payable, pending_negative)
      INSERT INTO ledger_chunk_contribution (aui, unit, ${figures}, order_payable, order_pending_negative, order_withheld, caused_by, observed_at)
      SELECT aui, unit, ${zeroFigures}, pending_reversals, 0, 0, true, caused_by, NULL FROM (
        SELECT aui, unit, ${withheld('payable', 'pending_negative')} - ${withheld('payable - delta_payable', 'pending_negative - delta_pending_negative')} AS pending_reversals, caused_by FROM held
        UNION ALL
        -- An order held no return before (else it would have been in order_total): it withheld nothing.
        SELECT t.aui, t.unit, ${withheld('t.payable', 't.pending_negative')}, d.caused_by FROM started t JOIN order_delta d ON ${sameOrder('t', 'd')}) changed
       WHERE pending_reversals <> 0`;
    // Whether any order the chunk touched holds a return, or starts to: most chunks have no order work to do.
    this.withholdingSql = `
      SELECT EXISTS (SELECT 1 FROM ledger_chunk_contribution WHERE order_id IS NOT NULL AND order_pending_negative <> 0)
          OR EXISTS (SELECT 1 FROM ${s}.order_total t JOIN ledger_chunk_contribution d ON ${sameOrder('t', 'd')}) AS withholding`;
    // The balances these belong to were locked by the upsert (each has an order contribution).
    this.applyWithheldSql = `
      UPDATE ${s}.balance b SET pending_reversals = trim_scale(b.pending_reversals + w.pending_reversals), updated_at = now()
        FROM (SELECT aui, unit, sum(pending_reversals) AS pending_reversals FROM ledger_chunk_contribution WHERE order_withheld GROUP BY aui, unit) w
       WHERE b.aui = w.aui AND b.unit = w.unit`;
    // An order whose returns all settled withholds nothing and leaves the table.
    this.releaseSql = `
      DELETE FROM ${s}.order_total t USING (SELECT DISTINCT aui, unit, order_source, order_merchant, order_id FROM ledger_chunk_contribution WHERE order_id IS NOT NULL) d
       WHERE ${sameOrder('t', 'd')} AND t.pending_negative = 0`;

    const changed = `changed AS (
        SELECT aui, unit, array_agg(DISTINCT caused_by ORDER BY caused_by) AS caused_by, min(observed_at) AS observed_at
          FROM ledger_chunk_contribution GROUP BY aui, unit
        HAVING ${ledgerFigureColumns.map((figure) => `sum(${figure}) <> 0`).join(' OR ')})`;
    this.countChangedSql = `WITH ${changed} SELECT count(*)::int AS changed FROM changed`;
    // The headers every BalanceChanged shares (libs/contracts cloudEventHeaders), as constants; id and time are per event.
    const headerFields = Object.entries(headers).filter(([name]) => name !== 'ce_id' && name !== 'ce_time').map(([name, value]) => `${literal(name)}, ${literal(value)}`).join(', ');
    const fields = ledgerFigureColumns.flatMap((figure) => (eventFieldOf[figure] === null ? [] : [`'${eventFieldOf[figure]}', b.${figure}::text`]));
    this.announceSql = `WITH ${changed},
      account AS (
        INSERT INTO ${s}.account AS a (aui, balance_sequence)
        SELECT aui, count(*) FROM changed GROUP BY aui ORDER BY aui
        ON CONFLICT (aui) DO UPDATE SET balance_sequence = a.balance_sequence + EXCLUDED.balance_sequence, updated_at = now()
        RETURNING aui, balance_sequence),
      announced AS (
        SELECT b.*, c.caused_by, c.observed_at,
               (a.balance_sequence - count(*) OVER (PARTITION BY b.aui) + row_number() OVER (PARTITION BY b.aui ORDER BY b.unit))::text AS sequence,
               to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS changed_at
          FROM ${s}.balance b JOIN changed c ON c.aui = b.aui AND c.unit = b.unit JOIN account a ON a.aui = b.aui)
      INSERT INTO ${s}.outbox (topic, message_key, payload, headers, observed_at)
      SELECT '${Topics.balanceChanged}', b.aui,
             json_build_object('type', 'BalanceChanged', 'schemaVersion', 1, 'aui', b.aui, 'unit', b.unit, 'sequence', b.sequence,
               ${fields.join(', ')}, 'available', b.available::text, 'causedBy', b.caused_by, 'changedAt', b.changed_at),
             json_build_object(${headerFields}, 'ce_id', b.aui || ':' || b.sequence, 'ce_time', b.changed_at),
             b.observed_at
        FROM announced b ORDER BY b.aui, b.unit
      RETURNING payload::text AS payload`;
  }

  /** Steps 1 and 2: the chunk's figures added to its balances, merchant orders' withholding included. */
  async add(sql: ChunkSql): Promise<void> {
    await sql.run(this.upsertSql);
    // Asked once the balances are locked: no other chunk can start holding one of these orders meanwhile.
    const [{ withholding }] = await sql.rows<{ withholding: boolean }>(this.withholdingSql);
    if (!withholding) return;
    await sql.run(this.withholdSql);
    await sql.run(this.applyWithheldSql);
    await sql.run(this.releaseSql);
  }

  /** How many balances the chunk changed (a rebuild announces nothing). */
  async countChanged(sql: ChunkSql): Promise<number> {
    const [{ changed }] = await sql.rows<{ changed: number }>(this.countChangedSql);
    return changed;
  }

  /** Step 3: one BalanceChanged per changed balance to the outbox; returns their payloads. */
  async announce(sql: ChunkSql): Promise<string[]> {
    const rows = await sql.rows<{ payload: string }>(this.announceSql);
    return rows.map((row) => row.payload);
  }
}

/** A constant as an SQL string literal: the header names and values are ours (cloudEventHeaders), quotes doubled all the same. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
