import { returnedRows } from '@earnings/persistence';
import { DataSource } from 'typeorm';
import { ActionLeaseTerms, FirstPromoterActionQueue, FirstPromoterActionRows } from './firstpromoter-action.repository';

export type ApprovalRequestedBy = 'schedule' | 'operator';

export interface ApprovalRow {
  commission_id: string;
  requested_by: ApprovalRequestedBy;
  state: string;
  attempts: number;
  last_error: string | null;
  batch_id: string | null;
  requested_at: Date;
  approved_at: Date | null;
}

const stateSql = `CASE WHEN approved_at IS NOT NULL THEN 'approved'
  WHEN given_up_at IS NOT NULL THEN 'refused'
  WHEN batch_id IS NOT NULL THEN 'in-batch'
  WHEN attempts > 0 THEN 'retrying'
  ELSE 'due' END`;

/** All SQL of the approvals this service asks FirstPromoter for (after N days, or an operator's ids). */
export class FirstPromoterApprovalRepository {
  readonly approving: FirstPromoterActionQueue;

  constructor(private readonly dataSource: DataSource, lease: ActionLeaseTerms) {
    this.approving = new FirstPromoterActionRows(dataSource, {
      table: 'firstpromoter_approval', action: 'approve',
      due: 'approved_at IS NULL',
      inBatch: 'batch_id IS NOT NULL AND approved_at IS NULL',
      doneSet: 'approved_at = now()',
    }, lease);
  }

  /**
   * Queues ids for approval; an id already queued stays as it is, except one FirstPromoter refused
   * for good, which an operator's request tries again. Returns the ids newly queued or retried.
   */
  async request(ids: readonly string[], requestedBy: ApprovalRequestedBy): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = returnedRows<{ commission_id: string }>(await this.dataSource.query(
      `INSERT INTO firstpromoter_approval (commission_id, requested_by) SELECT unnest($1::text[]), $2
       ON CONFLICT (commission_id) DO UPDATE SET given_up_at = NULL, attempts = 0, last_error = NULL, alone = false, next_attempt_at = now(), requested_by = EXCLUDED.requested_by
       WHERE EXCLUDED.requested_by = 'operator' AND firstpromoter_approval.given_up_at IS NOT NULL AND firstpromoter_approval.approved_at IS NULL
       RETURNING commission_id`, [ids, requestedBy]));
    return rows.map((row) => row.commission_id).sort();
  }

  async list(state: string | null, limit: number): Promise<ApprovalRow[]> {
    return this.dataSource.query(
      `SELECT * FROM (SELECT commission_id, requested_by, ${stateSql} AS state, attempts, last_error, batch_id::text, requested_at, approved_at FROM firstpromoter_approval) a
        WHERE $1::text IS NULL OR a.state = $1 ORDER BY requested_at DESC, commission_id LIMIT $2`, [state, limit]);
  }
}

