import { CommissionObserved, Topics } from '@earnings/contracts';
import { Decimal, OwedRewardCommission, RewardCommission } from '@earnings/domain';
import { EntityManager } from 'typeorm';
import { PayoutRepository } from '../payouts/payout.repository';

/** Payout states whose delivery counts: requested, at the fulfiller, or delivered and not reversed. */
const liveStates = `('requested', 'submitted', 'succeeded')`;

/** A delivery the service decided: one payout row covering one commission. */
export interface NewRewardDelivery {
  payoutId: string;
  /** (commission, observation): a redelivered or replayed observation collides here, never delivers twice. */
  idempotencyKey: string;
  commission: RewardCommission;
  amount: Decimal;
  fulfiller: string;
}

/** All SQL of reward commissions and what payouts deliver of each; the payouts themselves are PayoutRepository's. */
export class RewardRepository {
  constructor(private readonly payouts: PayoutRepository) {}

  /** One commission at a time: two observations of it (webhook and pull) never decide in parallel. */
  async lockCommission(manager: EntityManager, commissionId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('earnings-reward'), hashtext($1))`, [commissionId]);
  }

  /** Keeps the observation when it is strictly newer than the stored version (the ledger's rule); says whether it was. */
  async applyVersion(manager: EntityManager, observation: CommissionObserved): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO reward_commission AS r (commission_id, aui, unit, amount, state, version_date, observation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (commission_id) DO UPDATE SET aui = EXCLUDED.aui, unit = EXCLUDED.unit, amount = EXCLUDED.amount, state = EXCLUDED.state,
         version_date = EXCLUDED.version_date, observation_id = EXCLUDED.observation_id, updated_at = now()
       WHERE r.version_date < EXCLUDED.version_date
       RETURNING 1`,
      [observation.commissionId, observation.aui, observation.unit, observation.userAmount, observation.state, observation.modifiedDate, observation.observationId],
    );
    return rows.length > 0;
  }

  /** The stored version of a reward commission, or null when this service has none. */
  async storedCommission(manager: EntityManager, commissionId: string): Promise<RewardCommission | null> {
    const rows: { aui: string; unit: string; amount: string; state: RewardCommission['state'] }[] = await manager.query(
      `SELECT aui, unit, amount::text, state FROM reward_commission WHERE commission_id = $1`, [commissionId]);
    return rows.length === 0 ? null : { commissionId, aui: rows[0].aui, unit: rows[0].unit, amount: new Decimal(rows[0].amount), state: rows[0].state };
  }

  /**
   * What live deliveries of this commission gave its current owner, in this unit. After an
   * operator moved the commission, what the first user got stays theirs (their clawback) and the
   * new owner is owed it all.
   */
  async deliveredAmount(manager: EntityManager, commission: Pick<RewardCommission, 'commissionId' | 'unit' | 'aui'>): Promise<Decimal> {
    const rows: { delivered: string }[] = await manager.query(
      `SELECT coalesce(sum(c.amount), 0)::text AS delivered FROM reward_payout_commission c JOIN payout p ON p.payout_id = c.payout_id
        WHERE c.commission_id = $1 AND p.unit = $2 AND p.aui = $3 AND p.state IN ${liveStates}`,
      [commission.commissionId, commission.unit, commission.aui],
    );
    return new Decimal(rows[0].delivered);
  }

  /** Per (aui, unit): approved reward commissions still owed something, oldest first, for a run's payout to cover. */
  async owedCommissions(manager: EntityManager, auis: readonly string[]): Promise<Map<string, OwedRewardCommission[]>> {
    const owed = new Map<string, OwedRewardCommission[]>();
    if (auis.length === 0) return owed;
    const rows: { aui: string; unit: string; commission_id: string; owed: string }[] = await manager.query(
      `SELECT r.aui, r.unit, r.commission_id, (r.amount - coalesce(d.delivered, 0))::text AS owed
         FROM reward_commission r
         LEFT JOIN LATERAL (SELECT sum(c.amount) AS delivered FROM reward_payout_commission c JOIN payout p ON p.payout_id = c.payout_id
                             WHERE c.commission_id = r.commission_id AND p.aui = r.aui AND p.unit = r.unit AND p.state IN ${liveStates}) d ON true
        WHERE r.aui = ANY($1::text[]) AND r.state = 'PAYABLE' AND r.amount - coalesce(d.delivered, 0) > 0
          -- A commission a fraud check flagged is owed nothing until an operator clears it.
          AND NOT EXISTS (SELECT 1 FROM payout_commission_hold fh WHERE fh.source = 'firstpromoter' AND fh.commission_id = r.commission_id)
        -- FirstPromoter numbers its commissions: in a tie, "20" before "100" (as text it would come after).
        ORDER BY r.aui, r.unit, r.version_date, length(r.commission_id), r.commission_id`,
      [[...auis]],
    );
    for (const row of rows) {
      const key = JSON.stringify([row.aui, row.unit]);
      owed.set(key, [...(owed.get(key) ?? []), { commissionId: row.commission_id, owed: new Decimal(row.owed) }]);
    }
    return owed;
  }

  /** What reward payouts deliver of each commission they cover, in the payouts' own transaction. */
  async recordCoverage(manager: EntityManager, covered: readonly { payoutId: string; commissionId: string; amount: Decimal }[]): Promise<void> {
    if (covered.length === 0) return;
    await manager.query(
      `INSERT INTO reward_payout_commission (payout_id, commission_id, amount) SELECT p, c, a FROM unnest($1::text[], $2::text[], $3::numeric[]) AS x(p, c, a)`,
      [covered.map((entry) => entry.payoutId), covered.map((entry) => entry.commissionId), covered.map((entry) => entry.amount.toFixed())],
    );
  }

  /**
   * The payout row, what it delivers of the commission, and its PayoutRequested in one
   * transaction, so the ledger holds the reward at once. The payout and the outbox are
   * PayoutRepository's to write.
   */
  async insertDelivery(manager: EntityManager, delivery: NewRewardDelivery, requestedAt: string, event: object): Promise<boolean> {
    const amount = delivery.amount.toFixed();
    const inserted = await this.payouts.insertPayouts(manager, [{
      payoutId: delivery.payoutId, idempotencyKey: delivery.idempotencyKey, aui: delivery.commission.aui, unit: delivery.commission.unit, amount,
      method: delivery.fulfiller, destination: null, coveredCommissions: [{ source: 'firstpromoter', commissionId: delivery.commission.commissionId, amount }], runId: `reward-on-approval:${requestedAt}`,
      // Not a run's payout: PAYOUT_REVIEW reviews runs; a reward leaves on its approval (FirstPromoter's approval modes, fraud flags held).
      review: false,
    }]);
    if (inserted.length === 0) return false;
    await this.recordCoverage(manager, [{ payoutId: delivery.payoutId, commissionId: delivery.commission.commissionId, amount: delivery.amount }]);
    await this.payouts.appendOutbox(manager, Topics.payoutLifecycle, delivery.commission.aui, event);
    return true;
  }
}
