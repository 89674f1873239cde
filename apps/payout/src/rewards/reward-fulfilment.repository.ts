import { isMarkableCommissionId } from '@earnings/domain';
import { returnedRows } from '@earnings/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ActionLeaseTerms, FirstPromoterActionQueue, FirstPromoterActionRows } from './firstpromoter-action.repository';

export type MarkAction = 'mark_fulfilled' | 'mark_unfulfilled';

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

/**
 * The state an operator sees: what FirstPromoter should know (`wanted`) against what it was last
 * told (`told`), or following a batch, retrying with backoff, given up.
 */
const stateSql = `CASE WHEN given_up_at IS NOT NULL THEN 'refused'
  WHEN batch_id IS NOT NULL THEN 'in-batch'
  WHEN wanted = 'fulfilled' AND told = 'fulfilled' THEN 'marked'
  WHEN wanted = 'unfulfilled' AND told = 'unfulfilled' THEN 'unmarked'
  WHEN wanted = 'unfulfilled' AND told IS NULL THEN 'reversed'
  WHEN attempts > 0 THEN 'retrying'
  ELSE 'due' END`;

/**
 * Telling FirstPromoter, per commission, as "what it should know" against "what it was last told":
 * a delivery wants `fulfilled`, a reversal `unfulfilled`, and whichever call finishes last, the
 * next pass tells it again until the two agree. So a redelivery made while a mark_unfulfilled was
 * still pending ends fulfilled at FirstPromoter.
 */
export class RewardFulfilmentRepository {
  readonly marking: FirstPromoterActionQueue;
  readonly unmarking: FirstPromoterActionQueue;

  constructor(private readonly dataSource: DataSource, lease: ActionLeaseTerms) {
    this.marking = new FirstPromoterActionRows(dataSource, {
      table: 'reward_fulfilment', action: 'mark_fulfilled',
      due: `wanted = 'fulfilled' AND told IS DISTINCT FROM 'fulfilled'`,
      inBatch: `batch_id IS NOT NULL AND batch_action = 'mark_fulfilled'`,
      doneSet: `told = 'fulfilled', marked_at = now(), batch_action = NULL`,
      followingSet: `batch_action = 'mark_fulfilled'`,
    }, lease);
    this.unmarking = new FirstPromoterActionRows(dataSource, {
      table: 'reward_fulfilment', action: 'mark_unfulfilled',
      due: `wanted = 'unfulfilled' AND told = 'fulfilled'`,
      inBatch: `batch_id IS NOT NULL AND batch_action = 'mark_unfulfilled'`,
      doneSet: `told = 'unfulfilled', unmarked_at = now(), batch_action = NULL`,
      followingSet: `batch_action = 'mark_unfulfilled'`,
    }, lease);
  }

  /**
   * A reward payout delivered these commissions: FirstPromoter should know them fulfilled. A
   * legacy `fulfilment:` id has nothing to mark: FirstPromoter completed it when ingest answered 200.
   */
  async delivered(manager: EntityManager, payoutId: string, commissionIds: readonly string[]): Promise<void> {
    const ids = commissionIds.filter(isMarkableCommissionId);
    if (ids.length === 0) return;
    await manager.query(
      `INSERT INTO reward_fulfilment (commission_id, payout_id, wanted) SELECT unnest($1::text[]), $2, 'fulfilled'
       ON CONFLICT (commission_id) DO UPDATE SET payout_id = EXCLUDED.payout_id, wanted = 'fulfilled', reversed_at = NULL,
         attempts = CASE WHEN reward_fulfilment.wanted = 'fulfilled' THEN reward_fulfilment.attempts ELSE 0 END,
         given_up_at = CASE WHEN reward_fulfilment.wanted = 'fulfilled' THEN reward_fulfilment.given_up_at END,
         alone = false, next_attempt_at = now()`,
      [ids, payoutId],
    );
  }

  /** The partner took back what this payout delivered: FirstPromoter should know those commissions unfulfilled. */
  async reversed(manager: EntityManager, payoutId: string): Promise<string[]> {
    const rows = returnedRows<{ commission_id: string }>(await manager.query(
      `UPDATE reward_fulfilment SET wanted = 'unfulfilled', reversed_at = now(), attempts = 0, next_attempt_at = now(), last_error = NULL, alone = false, given_up_at = NULL
        WHERE payout_id = $1 AND wanted = 'fulfilled' RETURNING commission_id`, [payoutId]));
    return rows.map((row) => row.commission_id).sort();
  }

  async list(state: string | null, limit: number): Promise<FulfilmentRow[]> {
    return this.dataSource.query(
      `SELECT * FROM (SELECT commission_id, payout_id, ${stateSql} AS state, attempts, last_error, batch_id::text, next_attempt_at, created_at FROM reward_fulfilment) f
        WHERE $1::text IS NULL OR f.state = $1 ORDER BY created_at DESC, commission_id LIMIT $2`, [state, limit]);
  }
}

