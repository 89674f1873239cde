import { FirstPromoterCommissionAction } from '@earnings/sources';
import { markGivenUp, markRetryDelayMs } from '@earnings/domain';
import { returnedRows } from '@earnings/persistence';
import { DataSource } from 'typeorm';
import { leaseClaimedBy, leaseIsFree, leaseReleased } from '../work/work-lease';

/**
 * Commission ids waiting for one FirstPromoter action (approve, mark_fulfilled,
 * mark_unfulfilled), each with its own attempts and backoff: what FirstPromoterActionRunner works
 * through. A batch process (more than 5 ids) is followed by its id until it ends. A claim leases
 * the ids to this process (work-lease.ts), so payout processes never call for the same ids at
 * once; recording an outcome releases them.
 */
export interface FirstPromoterActionQueue {
  readonly action: FirstPromoterCommissionAction;
  /** Claims the due ids of up to `limit` batch processes being followed. */
  claimDueBatches(limit: number): Promise<{ batchId: number; ids: string[] }[]>;
  /** Claims due ids not in a batch: those that share calls, or (alone) those refused once that now go alone. */
  claimDueIds(alone: boolean, limit: number): Promise<string[]>;
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

/** Whose claims these are, and how long one lasts (longer than the calls a pass makes on what it claimed). */
export interface ActionLeaseTerms {
  owner: string;
  durationMs: number;
}

/**
 * The SQL every action queue shares; each table's meaning comes from its spec. Every write after a
 * call names the lease owner: ids another process took over after this one's lease expired are
 * left to it.
 */
export class FirstPromoterActionRows implements FirstPromoterActionQueue {
  readonly action: FirstPromoterCommissionAction;
  /** A due row of a batch process being followed, free to claim. */
  private readonly dueInBatch: string;

  constructor(private readonly dataSource: DataSource, private readonly spec: ActionRowsSpec, private readonly lease: ActionLeaseTerms) {
    this.action = spec.action;
    this.dueInBatch = `${spec.inBatch} AND given_up_at IS NULL AND next_attempt_at <= now() AND ${leaseIsFree}`;
  }

  async claimDueBatches(limit: number): Promise<{ batchId: number; ids: string[] }[]> {
    const rows = returnedRows<{ batch_id: string; commission_id: string }>(await this.dataSource.query(
      `UPDATE ${this.spec.table} SET ${leaseClaimedBy('$2', '$3')}
        WHERE commission_id IN (SELECT commission_id FROM ${this.spec.table}
                                 WHERE ${this.dueInBatch}
                                   AND batch_id IN (SELECT batch_id FROM ${this.spec.table} WHERE ${this.dueInBatch} GROUP BY batch_id ORDER BY batch_id LIMIT $1)
                                 FOR UPDATE SKIP LOCKED)
        RETURNING batch_id::text AS batch_id, commission_id`, [limit, this.lease.owner, this.lease.durationMs]));
    const idsByBatch = new Map<string, string[]>();
    for (const row of rows) idsByBatch.set(row.batch_id, [...(idsByBatch.get(row.batch_id) ?? []), row.commission_id]);
    return [...idsByBatch].map(([batchId, ids]) => ({ batchId: Number(batchId), ids: ids.sort() })).sort((left, right) => left.batchId - right.batchId);
  }

  async claimDueIds(alone: boolean, limit: number): Promise<string[]> {
    const rows = returnedRows<{ commission_id: string }>(await this.dataSource.query(
      `UPDATE ${this.spec.table} SET ${leaseClaimedBy('$3', '$4')}
        WHERE commission_id IN (SELECT commission_id FROM ${this.spec.table}
                                 WHERE ${this.spec.due} AND batch_id IS NULL AND alone = $1 AND given_up_at IS NULL AND next_attempt_at <= now() AND ${leaseIsFree}
                                 ORDER BY next_attempt_at, commission_id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING commission_id`, [alone, limit, this.lease.owner, this.lease.durationMs]));
    return rows.map((row) => row.commission_id).sort();
  }

  async done(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE ${this.spec.table} SET ${this.spec.doneSet}, batch_id = NULL, attempts = 0, last_error = NULL, alone = false, next_attempt_at = now(), ${leaseReleased}
        WHERE commission_id = ANY($1::text[]) AND lease_owner = $2`, [ids, this.lease.owner]);
  }

  async following(ids: readonly string[], batchId: number, pollDelayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.spec.table} SET batch_id = $2, ${this.spec.followingSet === undefined ? '' : `${this.spec.followingSet}, `}next_attempt_at = now() + make_interval(secs => $3::numeric / 1000), ${leaseReleased}
        WHERE commission_id = ANY($1::text[]) AND lease_owner = $4`, [ids, batchId, pollDelayMs, this.lease.owner]);
  }

  async separate(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.spec.table} SET alone = true, batch_id = NULL, next_attempt_at = now(), ${leaseReleased} WHERE commission_id = ANY($1::text[]) AND lease_owner = $2`,
      [ids, this.lease.owner]);
  }

  async failed(ids: readonly string[], error: string): Promise<void> {
    const rows: { commission_id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT commission_id, attempts FROM ${this.spec.table} WHERE commission_id = ANY($1::text[]) AND lease_owner = $2`, [ids, this.lease.owner]);
    for (const row of rows) {
      const attempts = row.attempts + 1;
      await this.dataSource.query(
        `UPDATE ${this.spec.table} SET attempts = $2, last_error = $3, batch_id = NULL, next_attempt_at = now() + make_interval(secs => $4::numeric / 1000),
                given_up_at = CASE WHEN $5::boolean THEN now() ELSE NULL END, ${leaseReleased}
          WHERE commission_id = $1 AND lease_owner = $6`,
        [row.commission_id, attempts, error.slice(0, 1000), markRetryDelayMs(attempts), markGivenUp(attempts), this.lease.owner]);
    }
  }
}
