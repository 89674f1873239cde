import { CommissionObserved, isFlaggedByFraudCheck } from '@earnings/contracts';
import { returnedRows } from '@earnings/persistence';
import { DataSource, EntityManager } from 'typeorm';

export interface CommissionFlagRow {
  source: string;
  commission_id: string;
  fraud_check: string | null;
  is_self_referral: boolean;
  decision: 'held' | 'cleared' | 'rejected';
  decision_reason: string | null;
  decided_by: string | null;
  flagged_at: string;
  decided_at: string | null;
  /** From ledger.commission: whose it is now and the user's amount (null before the ledger has it). */
  aui: string | null;
  unit: string | null;
  amount: string | null;
}

/** All SQL of commissions a fraud check flagged (payout_commission_flag), published as payout_commission_hold. */
export class CommissionFlagRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the flagged ones among `observations`, once per commission: a commission once flagged
   * stays held until an operator clears or rejects it, whatever later versions say. Returns the
   * newly flagged ones.
   */
  async record(observations: readonly CommissionObserved[]): Promise<{ fraudCheck: string | null; isSelfReferral: boolean }[]> {
    const flagged = observations.filter(isFlaggedByFraudCheck);
    if (flagged.length === 0) return [];
    const rows: { fraud_check: string | null; is_self_referral: boolean }[] = await this.dataSource.query(
      `INSERT INTO payout_commission_flag (source, commission_id, fraud_check, is_self_referral)
       SELECT DISTINCT ON (s, c) s, c, f, r FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS x(s, c, f, r)
       ON CONFLICT (source, commission_id) DO NOTHING
       RETURNING fraud_check, is_self_referral`,
      [flagged.map((o) => o.source), flagged.map((o) => o.commissionId), flagged.map((o) => o.fraudCheck ?? null), flagged.map((o) => o.isSelfReferral === true)],
    );
    return rows.map((row) => ({ fraudCheck: row.fraud_check, isSelfReferral: row.is_self_referral }));
  }

  /** True while the commission is held or rejected (payout_commission_hold). */
  async isHeld(manager: EntityManager, source: string, commissionId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM payout_commission_hold WHERE source = $1 AND commission_id = $2`, [source, commissionId]);
    return rows.length > 0;
  }

  /** An operator's decision on a held commission; null when no such flag, the row as it stands when it was decided already. */
  async decide(source: string, commissionId: string, decision: 'cleared' | 'rejected', decidedBy: string, reason: string): Promise<{ decided: boolean; row: CommissionFlagRow } | null> {
    const updated = returnedRows<{ commission_id: string }>(await this.dataSource.query(
      `UPDATE payout_commission_flag SET decision = $3, decided_by = $4, decision_reason = $5, decided_at = now()
        WHERE source = $1 AND commission_id = $2 AND decision = 'held'
        RETURNING commission_id`,
      [source, commissionId, decision, decidedBy, reason],
    ));
    const [row] = await this.list({ source, commissionId }, 1);
    return row === undefined ? null : { decided: updated.length > 0, row };
  }

  async list(filter: { decision?: string | null; source?: string; commissionId?: string }, limit: number): Promise<CommissionFlagRow[]> {
    return this.dataSource.query(
      `SELECT f.source, f.commission_id, f.fraud_check, f.is_self_referral, f.decision, f.decision_reason, f.decided_by, f.flagged_at, f.decided_at,
              c.aui, c.unit, c.user_amount::text AS amount
         FROM payout_commission_flag f LEFT JOIN ledger.commission c ON c.source = f.source AND c.commission_id = f.commission_id
        WHERE ($1::text IS NULL OR f.decision = $1) AND ($2::text IS NULL OR f.source = $2) AND ($3::text IS NULL OR f.commission_id = $3)
        ORDER BY f.flagged_at DESC, f.source, f.commission_id
        LIMIT $4`,
      [filter.decision ?? null, filter.source ?? null, filter.commissionId ?? null, limit],
    );
  }
}
