import { CommissionObserved, Topics } from '@earnings/contracts';
import { Decimal, RewardCommission } from '@earnings/domain';
import { EntityManager } from 'typeorm';

/** A delivery the service decided: one payout row covering one commission. */
export interface NewRewardDelivery {
  payoutId: string;
  /** (commission, observation): a redelivered or replayed observation collides here, never delivers twice. */
  idempotencyKey: string;
  commission: RewardCommission;
  amount: Decimal;
  fulfiller: string;
}

/** All SQL of reward commissions and their deliveries. */
export class RewardRepository {
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

  /** What deliveries of this commission in this unit already gave: requested, at the fulfiller, or delivered and not reversed. */
  async deliveredAmount(manager: EntityManager, commissionId: string, unit: string): Promise<Decimal> {
    const rows: { delivered: string }[] = await manager.query(
      `SELECT coalesce(sum(amount), 0)::text AS delivered FROM payout
        WHERE covered_commissions @> $1::jsonb AND unit = $2 AND state IN ('requested', 'submitted', 'succeeded')`,
      [JSON.stringify([{ source: 'firstpromoter', commissionId }]), unit],
    );
    return new Decimal(rows[0].delivered);
  }

  /** The payout row and its PayoutRequested in one transaction, so the ledger holds the reward at once. */
  async insertDelivery(manager: EntityManager, delivery: NewRewardDelivery, requestedAt: string, event: object): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO payout (payout_id, idempotency_key, aui, unit, amount, method, destination, covered_commissions, run_id, state)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, $7::jsonb, $8, 'requested')
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1`,
      [
        delivery.payoutId, delivery.idempotencyKey, delivery.commission.aui, delivery.commission.unit, delivery.amount.toFixed(), delivery.fulfiller,
        JSON.stringify([{ source: 'firstpromoter', commissionId: delivery.commission.commissionId }]), `reward-on-approval:${requestedAt}`,
      ],
    );
    if (rows.length === 0) return false;
    await manager.query(`INSERT INTO payout_outbox (topic, message_key, payload) VALUES ($1, $2, $3::jsonb)`, [Topics.payoutLifecycle, delivery.commission.aui, JSON.stringify(event)]);
    return true;
  }
}
