import { CommissionSource } from '@earnings/contracts';
import { canonicalTimestamp } from '@earnings/domain';
import { DataSource } from 'typeorm';
import { LedgerCommission } from './reconcile-report';

/** Ids per statement at most: a source listing 100,000 commissions is read in slices. */
const idsPerQueryMax = 10_000;

/** Reads the ledger's latest version of commissions, through the view the projector publishes (ledger.commission). */
export class LedgerCommissionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The commissions the source listed (by id, whenever modified) and every other one of that source modified in the window. */
  async forReconcile(source: CommissionSource, commissionIds: readonly string[], window: { from: string; to: string }): Promise<LedgerCommission[]> {
    const select = `SELECT source, commission_id, aui, unit, user_amount::text AS user_amount, state, modified_date FROM ledger.commission`;
    const rows: CommissionRow[] = await this.dataSource.query(`${select} WHERE source = $1 AND modified_date BETWEEN $2 AND $3`, [source, window.from, window.to]);
    for (let start = 0; start < commissionIds.length; start += idsPerQueryMax) {
      const ids = commissionIds.slice(start, start + idsPerQueryMax);
      rows.push(...(await this.dataSource.query(`${select} WHERE source = $1 AND commission_id = ANY($2::text[]) AND NOT (modified_date BETWEEN $3 AND $4)`, [source, ids, window.from, window.to])));
    }
    return rows.map((row) => ({
      source: row.source, commissionId: row.commission_id, aui: row.aui, unit: row.unit, userAmount: row.user_amount, state: row.state, modifiedDate: canonicalTimestamp(row.modified_date),
    }));
  }
}

interface CommissionRow {
  source: CommissionSource;
  commission_id: string;
  aui: string;
  unit: string;
  user_amount: string;
  state: string;
  modified_date: string;
}
