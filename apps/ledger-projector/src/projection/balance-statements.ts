import { CloudEventHeaders, Topics } from '@earnings/contracts';
import { ledgerFigureColumns } from '@earnings/persistence';
import { ChunkSql } from './chunk-sql';

/** JSON names of the stored figures in BalanceChanged, beside their columns. */
const eventFieldOf: Record<(typeof ledgerFigureColumns)[number], string | null> = {
  lifetime: 'lifetime', pending: 'pending', payable: null, paid_by_network: 'paidByNetwork', paid_out: 'paidOut', reserved: 'reserved', pending_reversals: 'pendingReversals',
};

/**
 * The chunk's contributions (ledger_chunk_contribution, figures computed by the rule) summed per
 * (AUI, unit) and added to the balances; live, each AUI's sequence moves on by the number of its
 * changed balances and one BalanceChanged per changed balance goes to the outbox, all in one
 * statement. Balances, accounts and outbox rows are written in (AUI, unit) order, so chunks of
 * different partitions that touch the same users never wait on each other in a circle.
 */
export class BalanceStatements {
  private readonly addSql: string;
  private readonly announceSql: string;

  constructor(schema: string, headers: CloudEventHeaders) {
    const s = schema;
    const figures = ledgerFigureColumns.join(', ');
    const changedBalances = `
      delta AS (
        SELECT aui, unit, ${ledgerFigureColumns.map((figure) => `trim_scale(sum(${figure})) AS ${figure}`).join(', ')},
               array_agg(DISTINCT caused_by ORDER BY caused_by) AS caused_by, min(observed_at) AS observed_at
          FROM ledger_chunk_contribution GROUP BY aui, unit),
      changed AS (SELECT * FROM delta WHERE ${ledgerFigureColumns.map((figure) => `${figure} <> 0`).join(' OR ')}),
      balance AS (
        INSERT INTO ${s}.balance AS b (aui, unit, ${figures})
        SELECT aui, unit, ${figures} FROM changed ORDER BY aui, unit
        ON CONFLICT (aui, unit) DO UPDATE SET ${ledgerFigureColumns.map((figure) => `${figure} = trim_scale(b.${figure} + EXCLUDED.${figure})`).join(', ')}, updated_at = now()
        RETURNING aui, unit, ${figures}, available, updated_at)`;
    this.addSql = `WITH ${changedBalances} SELECT count(*)::int AS changed FROM balance`;
    // The headers every BalanceChanged shares (libs/contracts cloudEventHeaders), as constants; id and time are per event.
    const headerFields = Object.entries(headers).filter(([name]) => name !== 'ce_id' && name !== 'ce_time').map(([name, value]) => `${literal(name)}, ${literal(value)}`).join(', ');
    const fields = ledgerFigureColumns.flatMap((figure) => (eventFieldOf[figure] === null ? [] : [`'${eventFieldOf[figure]}', b.${figure}::text`]));
    this.announceSql = `WITH ${changedBalances},
      account AS (
        INSERT INTO ${s}.account AS a (aui, balance_sequence)
        SELECT aui, count(*) FROM changed GROUP BY aui ORDER BY aui
        ON CONFLICT (aui) DO UPDATE SET balance_sequence = a.balance_sequence + EXCLUDED.balance_sequence, updated_at = now()
        RETURNING aui, balance_sequence),
      announced AS (
        SELECT b.*, c.caused_by, c.observed_at,
               (a.balance_sequence - count(*) OVER (PARTITION BY b.aui) + row_number() OVER (PARTITION BY b.aui ORDER BY b.unit))::text AS sequence,
               to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS changed_at
          FROM balance b JOIN account a ON a.aui = b.aui JOIN changed c ON c.aui = b.aui AND c.unit = b.unit)
      INSERT INTO ${s}.outbox (topic, message_key, payload, headers, observed_at)
      SELECT '${Topics.balanceChanged}', b.aui,
             json_build_object('type', 'BalanceChanged', 'schemaVersion', 1, 'aui', b.aui, 'unit', b.unit, 'sequence', b.sequence,
               ${fields.join(', ')}, 'available', b.available::text, 'causedBy', b.caused_by, 'changedAt', b.changed_at),
             json_build_object(${headerFields}, 'ce_id', b.aui || ':' || b.sequence, 'ce_time', b.changed_at),
             b.observed_at
        FROM announced b ORDER BY b.aui, b.unit
      RETURNING payload::text AS payload`;
  }

  /** Adds the contributions without announcing them (a rebuild); returns how many balances changed. */
  async add(sql: ChunkSql): Promise<number> {
    const [{ changed }] = await sql.rows<{ changed: number }>(this.addSql);
    return changed;
  }

  /** Adds the contributions and writes one BalanceChanged per changed balance to the outbox; returns their payloads. */
  async addAndAnnounce(sql: ChunkSql): Promise<string[]> {
    const rows = await sql.rows<{ payload: string }>(this.announceSql);
    return rows.map((row) => row.payload);
  }
}

/** A constant as an SQL string literal: the header names and values are ours (cloudEventHeaders), quotes doubled all the same. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
