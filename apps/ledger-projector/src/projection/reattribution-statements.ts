import { commissionFigureSql, commissionRuleColumns } from '@earnings/persistence';
import { ChunkSql } from './chunk-sql';

/** Payable money a chunk moved from one real user to another, per unit (a decimal string each). */
export interface ReattributedPayable {
  unit: string;
  amount: string;
}

const storedPayable = commissionFigureSql('payable', ...commissionRuleColumns('s'));

/**
 * Commissions whose newest version names another real user than the version the ledger held,
 * while that version was payable: the source of record wins and the money moves (the first user
 * may have been paid it: a clawback, shown as uncollected). Read from the chunk's own tables
 * (ledger_chunk_stored, ledger_chunk_applied) before they empty at commit; ledger-owned AUIs
 * (`~unattributed`) are not users, and money leaving them is the normal way a user is found.
 */
const reattributedSql = `
  WITH newest AS (
    SELECT DISTINCT ON (source, commission_id) source, commission_id, aui FROM ledger_chunk_applied ORDER BY source, commission_id, modified_date DESC)
  SELECT s.unit, trim_scale(sum(${storedPayable}))::text AS amount
    FROM ledger_chunk_stored s JOIN newest n ON n.source = s.source AND n.commission_id = s.commission_id
   WHERE n.aui <> s.aui AND left(s.aui, 1) <> '~' AND left(n.aui, 1) <> '~' AND ${storedPayable} > 0
   GROUP BY s.unit ORDER BY s.unit`;

export async function reattributedPayableOf(sql: ChunkSql): Promise<ReattributedPayable[]> {
  return sql.rows<ReattributedPayable>(reattributedSql);
}
