import { CommissionObserved } from '@earnings/contracts';
import { FirstPromoterCommissionMemory, KnownFirstPromoterVersion } from '@earnings/domain';
import { DataSource, EntityManager } from 'typeorm';

/** What to write once the decision is made: a new version row, and the owner's change, if any. */
export interface CommissionMemoryChange {
  version: (KnownFirstPromoterVersion & { observation: CommissionObserved }) | null;
  owner: { aui: string; decidedBy: 'first-observation' | 'operator'; reason: string | null } | null;
  /** The other user this payload names (the owner is kept): recorded for operators. */
  sourceNamesOther: string | null;
}

/** Owners listed at most per call. */
const ownersListedMax = 1_000;

/** All SQL of FirstPromoter versions and owners (see the migrations FirstPromoterDirectoryAndVersions and FirstPromoterSourceTimesAndOwners). */
export class FirstPromoterVersionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Reads one commission's memory, lets `decide` (pure) say what changes, writes it, all in one
   * transaction under a per-commission lock: two deliveries of one commission (a webhook and a
   * pull, a retry racing its original) are dated one after the other, never both as "newest".
   */
  async settle<T>(commissionId: string, decide: (memory: FirstPromoterCommissionMemory) => { change: CommissionMemoryChange; result: T }): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('earnings-firstpromoter-commission'), hashtext($1))`, [commissionId]);
      const { change, result } = decide(await this.memoryOf(manager, commissionId));
      if (change.version !== null) await this.insertVersion(manager, commissionId, change.version);
      if (change.owner !== null) await this.setOwner(manager, commissionId, change.owner);
      else if (change.sourceNamesOther !== null) await this.noteSourceNamesOther(manager, commissionId, change.sourceNamesOther);
      return result;
    });
  }

  /** The owners kept for these commissions (absent: never observed). */
  async ownersOf(commissionIds: readonly string[]): Promise<Map<string, string>> {
    if (commissionIds.length === 0) return new Map();
    const rows: { commission_id: string; aui: string }[] = await this.dataSource.query(
      'SELECT commission_id, aui FROM firstpromoter_commission_owner WHERE commission_id = ANY($1::text[])', [[...commissionIds]],
    );
    return new Map(rows.map((row) => [row.commission_id, row.aui]));
  }

  /** Commissions whose payloads now name another user than the one kept, newest first: an operator decides. */
  async disagreements(limit: number): Promise<{ commissionId: string; aui: string; sourceNamesAui: string; updatedAt: string }[]> {
    const rows: { commission_id: string; aui: string; source_names_aui: string; updated_at: Date }[] = await this.dataSource.query(
      `SELECT commission_id, aui, source_names_aui, updated_at FROM firstpromoter_commission_owner
        WHERE source_names_aui IS NOT NULL ORDER BY updated_at DESC, commission_id LIMIT $1`, [Math.min(limit, ownersListedMax)],
    );
    return rows.map((row) => ({ commissionId: row.commission_id, aui: row.aui, sourceNamesAui: row.source_names_aui, updatedAt: new Date(row.updated_at).toISOString() }));
  }

  private async memoryOf(manager: EntityManager, commissionId: string): Promise<FirstPromoterCommissionMemory> {
    const owners: { aui: string }[] = await manager.query('SELECT aui FROM firstpromoter_commission_owner WHERE commission_id = $1', [commissionId]);
    const rows: { content_key: string; version_date: string; source_time: string; tie_time: string | null; observation: CommissionObserved | null }[] = await manager.query(
      `SELECT content_key, version_date, source_time, tie_time, observation FROM firstpromoter_commission_version
        WHERE commission_id = $1 ORDER BY version_date::timestamptz, created_at`, [commissionId],
    );
    return {
      keptOwner: owners[0]?.aui ?? null,
      versions: rows.map((row) => ({ contentKey: row.content_key, versionDate: row.version_date, sourceTime: row.source_time, tieTime: row.tie_time })),
      newestObservation: rows.at(-1)?.observation ?? null,
    };
  }

  private async insertVersion(manager: EntityManager, commissionId: string, version: NonNullable<CommissionMemoryChange['version']>): Promise<void> {
    await manager.query(
      `INSERT INTO firstpromoter_commission_version (commission_id, content_key, version_date, source_time, tie_time, observation)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [commissionId, version.contentKey, version.versionDate, version.sourceTime, version.tieTime, JSON.stringify(version.observation)],
    );
  }

  private async setOwner(manager: EntityManager, commissionId: string, owner: NonNullable<CommissionMemoryChange['owner']>): Promise<void> {
    await manager.query(
      `INSERT INTO firstpromoter_commission_owner (commission_id, aui, decided_by, reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (commission_id) DO UPDATE SET aui = EXCLUDED.aui, decided_by = EXCLUDED.decided_by, reason = EXCLUDED.reason,
         source_names_aui = NULL, decided_at = now(), updated_at = now()`,
      [commissionId, owner.aui, owner.decidedBy, owner.reason],
    );
  }

  private async noteSourceNamesOther(manager: EntityManager, commissionId: string, aui: string): Promise<void> {
    await manager.query(
      `UPDATE firstpromoter_commission_owner SET source_names_aui = $2, updated_at = now()
        WHERE commission_id = $1 AND source_names_aui IS DISTINCT FROM $2`, [commissionId, aui],
    );
  }
}
