import { markGivenUp, markRetryDelayMs } from '@earnings/domain';
import { DataSource } from 'typeorm';

export type MarkAction = 'mark_fulfilled' | 'mark_unfulfilled';

/** Rows due for an action: marking waits for nothing; unmarking only what was marked. A batch in flight is followed even after a reversal. */
const dueFor: Record<MarkAction, string> = {
  mark_fulfilled: 'marked_at IS NULL AND (reversed_at IS NULL OR batch_id IS NOT NULL)',
  mark_unfulfilled: 'reversed_at IS NOT NULL AND marked_at IS NOT NULL AND unmarked_at IS NULL',
};
const doneColumn: Record<MarkAction, string> = { mark_fulfilled: 'marked_at', mark_unfulfilled: 'unmarked_at' };

export interface FulfilmentRow {
  commission_id: string;
  payout_id: string;
  state: string;
  attempts: number;
  last_error: string | null;
  batch_id: string | null;
  next_attempt_at: Date;
  created_at: Date;
}

/** The state an operator sees: done, still to do, following a batch, retrying with backoff, or given up. */
const stateSql = `CASE WHEN unmarked_at IS NOT NULL THEN 'unmarked'
  WHEN given_up_at IS NOT NULL THEN 'refused'
  WHEN batch_id IS NOT NULL THEN 'in-batch'
  WHEN marked_at IS NOT NULL AND reversed_at IS NULL THEN 'marked'
  WHEN reversed_at IS NOT NULL AND marked_at IS NULL THEN 'reversed'
  WHEN attempts > 0 THEN 'retrying'
  ELSE 'due' END`;

/** All SQL of telling FirstPromoter, per commission. */
export class RewardFulfilmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async dueBatches(action: MarkAction, limit: number): Promise<{ batchId: number; ids: string[] }[]> {
    const rows: { batch_id: string; ids: string[] }[] = await this.dataSource.query(
      `SELECT batch_id::text, array_agg(commission_id ORDER BY commission_id) AS ids FROM reward_fulfilment
        WHERE ${dueFor[action]} AND batch_id IS NOT NULL AND given_up_at IS NULL AND next_attempt_at <= now()
        GROUP BY batch_id ORDER BY batch_id LIMIT $1`, [limit]);
    return rows.map((row) => ({ batchId: Number(row.batch_id), ids: row.ids }));
  }

  /** Due ids not in a batch: those that share calls, or those refused once that now go alone. */
  async dueIds(action: MarkAction, alone: boolean, limit: number): Promise<string[]> {
    const rows: { commission_id: string }[] = await this.dataSource.query(
      `SELECT commission_id FROM reward_fulfilment
        WHERE ${dueFor[action]} AND batch_id IS NULL AND alone = $1 AND given_up_at IS NULL AND next_attempt_at <= now()
        ORDER BY next_attempt_at, commission_id LIMIT $2`, [alone, limit]);
    return rows.map((row) => row.commission_id);
  }

  async done(action: MarkAction, ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE reward_fulfilment SET ${doneColumn[action]} = now(), batch_id = NULL, attempts = 0, last_error = NULL, alone = false WHERE commission_id = ANY($1::text[])`, [ids]);
  }

  async following(ids: readonly string[], batchId: number, pollDelayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE reward_fulfilment SET batch_id = $2, next_attempt_at = now() + make_interval(secs => $3::numeric / 1000) WHERE commission_id = ANY($1::text[])`,
      [ids, batchId, pollDelayMs]);
  }

  /** From now on each of these is tried in a call of its own. */
  async separate(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(`UPDATE reward_fulfilment SET alone = true, batch_id = NULL, next_attempt_at = now() WHERE commission_id = ANY($1::text[])`, [ids]);
  }

  /** One more failed attempt for each id: backoff doubling to an hour, given up after the last. */
  async failed(ids: readonly string[], error: string): Promise<void> {
    const rows: { commission_id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT commission_id, attempts FROM reward_fulfilment WHERE commission_id = ANY($1::text[])`, [ids]);
    for (const row of rows) {
      const attempts = row.attempts + 1;
      await this.dataSource.query(
        `UPDATE reward_fulfilment SET attempts = $2, last_error = $3, batch_id = NULL, next_attempt_at = now() + make_interval(secs => $4::numeric / 1000),
                given_up_at = CASE WHEN $5::boolean THEN now() ELSE NULL END
          WHERE commission_id = $1`,
        [row.commission_id, attempts, error.slice(0, 1000), markRetryDelayMs(attempts), markGivenUp(attempts)]);
    }
  }

  async list(state: string | null, limit: number): Promise<FulfilmentRow[]> {
    return this.dataSource.query(
      `SELECT * FROM (SELECT commission_id, payout_id, ${stateSql} AS state, attempts, last_error, batch_id::text, next_attempt_at, created_at FROM reward_fulfilment) f
        WHERE $1::text IS NULL OR f.state = $1 ORDER BY created_at DESC, commission_id LIMIT $2`, [state, limit]);
  }
}
