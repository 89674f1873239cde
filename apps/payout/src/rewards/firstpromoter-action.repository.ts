import { FirstPromoterCommissionAction } from '@earnings/sources';
import { markGivenUp, markRetryDelayMs } from '@earnings/domain';
import { DataSource } from 'typeorm';

/**
 * Commission ids waiting for one FirstPromoter action (approve, mark_fulfilled,
 * mark_unfulfilled), each with its own attempts and backoff: what FirstPromoterActionRunner works
 * through. A batch process (more than 5 ids) is followed by its id until it ends.
 */
export interface FirstPromoterActionQueue {
  readonly action: FirstPromoterCommissionAction;
  dueBatches(limit: number): Promise<{ batchId: number; ids: string[] }[]>;
  /** Due ids not in a batch: those that share calls, or (alone) those refused once that now go alone. */
  dueIds(alone: boolean, limit: number): Promise<string[]>;
  done(ids: readonly string[]): Promise<void>;
  following(ids: readonly string[], batchId: number, pollDelayMs: number): Promise<void>;
  /** From now on each of these is tried in a call of its own. */
  separate(ids: readonly string[]): Promise<void>;
  /** One more failed attempt for each id: backoff doubling to an hour, given up after the last. */
  failed(ids: readonly string[], error: string): Promise<void>;
}

/** Which rows of which table an action works on; SQL fragments written here, never from input. */
export interface ActionRowsSpec {
  table: 'reward_fulfilment' | 'firstpromoter_approval';
  action: FirstPromoterCommissionAction;
  /** Rows that still need the action. */
  due: string;
  /** A batch process of this action, being followed. */
  inBatch: string;
  /** SET clauses recording success. */
  doneSet: string;
  /** SET clauses recording that a batch of this action is being followed, besides batch_id (none when the table follows one action). */
  followingSet?: string;
}

/** The SQL every action queue shares; each table's meaning comes from its spec. */
export class FirstPromoterActionRows implements FirstPromoterActionQueue {
  readonly action: FirstPromoterCommissionAction;

  constructor(private readonly dataSource: DataSource, private readonly spec: ActionRowsSpec) {
    this.action = spec.action;
  }

  async dueBatches(limit: number): Promise<{ batchId: number; ids: string[] }[]> {
    const rows: { batch_id: string; ids: string[] }[] = await this.dataSource.query(
      `SELECT batch_id::text, array_agg(commission_id ORDER BY commission_id) AS ids FROM ${this.spec.table}
        WHERE ${this.spec.inBatch} AND given_up_at IS NULL AND next_attempt_at <= now()
        GROUP BY batch_id ORDER BY batch_id LIMIT $1`, [limit]);
    return rows.map((row) => ({ batchId: Number(row.batch_id), ids: row.ids }));
  }

  async dueIds(alone: boolean, limit: number): Promise<string[]> {
    const rows: { commission_id: string }[] = await this.dataSource.query(
      `SELECT commission_id FROM ${this.spec.table}
        WHERE ${this.spec.due} AND batch_id IS NULL AND alone = $1 AND given_up_at IS NULL AND next_attempt_at <= now()
        ORDER BY next_attempt_at, commission_id LIMIT $2`, [alone, limit]);
    return rows.map((row) => row.commission_id);
  }

  async done(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE ${this.spec.table} SET ${this.spec.doneSet}, batch_id = NULL, attempts = 0, last_error = NULL, alone = false, next_attempt_at = now()
        WHERE commission_id = ANY($1::text[])`, [ids]);
  }

  async following(ids: readonly string[], batchId: number, pollDelayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.spec.table} SET batch_id = $2, ${this.spec.followingSet === undefined ? '' : `${this.spec.followingSet}, `}next_attempt_at = now() + make_interval(secs => $3::numeric / 1000)
        WHERE commission_id = ANY($1::text[])`, [ids, batchId, pollDelayMs]);
  }

  async separate(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(`UPDATE ${this.spec.table} SET alone = true, batch_id = NULL, next_attempt_at = now() WHERE commission_id = ANY($1::text[])`, [ids]);
  }

  async failed(ids: readonly string[], error: string): Promise<void> {
    const rows: { commission_id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT commission_id, attempts FROM ${this.spec.table} WHERE commission_id = ANY($1::text[])`, [ids]);
    for (const row of rows) {
      const attempts = row.attempts + 1;
      await this.dataSource.query(
        `UPDATE ${this.spec.table} SET attempts = $2, last_error = $3, batch_id = NULL, next_attempt_at = now() + make_interval(secs => $4::numeric / 1000),
                given_up_at = CASE WHEN $5::boolean THEN now() ELSE NULL END
          WHERE commission_id = $1`,
        [row.commission_id, attempts, error.slice(0, 1000), markRetryDelayMs(attempts), markGivenUp(attempts)]);
    }
  }
}
