import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import {
  assignFirstPromoterVersionDate, firstPromoterContentKey, FirstPromoterPromoterIdentity, KnownFirstPromoterVersion, LegacyPendingReason, withFirstPromoterVersionDate,
} from '@earnings/domain';
import { DataSource } from 'typeorm';

export type PromoterSource = 'webhook' | 'legacy-webhook' | 'promoters-api';

/** Lookups asked at most per call: a pull chunk holds up to 500 commissions. */
const lookupIdsMax = 1_000;

/** Ingest's FirstPromoter memory (see the migration FirstPromoterDirectoryAndVersions): all its SQL. */
export class FirstPromoterDirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Learns a promoter's user id; a payload without one never clears or changes what is known to nothing. */
  async learnPromoter(identity: FirstPromoterPromoterIdentity | null, learntFrom: PromoterSource): Promise<void> {
    if (identity === null || identity.userId === null) return;
    await this.dataSource.query(
      `INSERT INTO firstpromoter_promoter (promoter_id, user_id, learnt_from) VALUES ($1, $2, $3)
       ON CONFLICT (promoter_id) DO UPDATE SET user_id = EXCLUDED.user_id, learnt_from = EXCLUDED.learnt_from, updated_at = now()
       WHERE firstpromoter_promoter.user_id <> EXCLUDED.user_id`,
      [identity.promoterId, identity.userId, learntFrom],
    );
  }

  async userIdsOf(promoterIds: readonly string[]): Promise<Map<string, string>> {
    if (promoterIds.length === 0) return new Map();
    if (promoterIds.length > lookupIdsMax) throw new Error(`asked for ${promoterIds.length} promoters at once (at most ${lookupIdsMax})`);
    const rows: { promoter_id: string; user_id: string }[] = await this.dataSource.query(
      'SELECT promoter_id, user_id FROM firstpromoter_promoter WHERE promoter_id = ANY($1::text[])', [[...promoterIds]],
    );
    return new Map(rows.map((row) => [row.promoter_id, row.user_id]));
  }

  /** An approved, attributed v2 reward, for a legacy fulfilment of the same reward to find. */
  async learnV2Reward(campaignId: string | null, observation: CommissionObserved): Promise<void> {
    if (campaignId === null || observation.state !== 'PAYABLE' || observation.aui === UNATTRIBUTED_AUI) return;
    await this.dataSource.query(
      `INSERT INTO firstpromoter_v2_reward (commission_id, campaign_id, aui, unit, amount) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (commission_id) DO UPDATE SET campaign_id = EXCLUDED.campaign_id, aui = EXCLUDED.aui, unit = EXCLUDED.unit, amount = EXCLUDED.amount`,
      [observation.commissionId, campaignId, observation.aui, observation.unit, observation.userAmount],
    );
  }

  /** Claims the v2 commission this legacy event reports (a retry finds its own claim again); null when none matches. */
  async claimV2Reward(eventId: string, campaignId: string | null, observation: CommissionObserved): Promise<string | null> {
    if (campaignId === null) return null;
    const rows = updatedRows<{ commission_id: string }>(await this.dataSource.query(
      `UPDATE firstpromoter_v2_reward SET legacy_event_id = $1
        WHERE commission_id = (SELECT commission_id FROM firstpromoter_v2_reward
                                WHERE campaign_id = $2 AND aui = $3 AND unit = $4 AND amount = $5::numeric AND (legacy_event_id IS NULL OR legacy_event_id = $1)
                                ORDER BY legacy_event_id NULLS LAST, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING commission_id`,
      [eventId, campaignId, observation.aui, observation.unit, observation.userAmount],
    ));
    return rows[0]?.commission_id ?? null;
  }

  async knownVersions(commissionId: string): Promise<KnownFirstPromoterVersion[]> {
    const rows: { content_key: string; version_date: string }[] = await this.dataSource.query(
      'SELECT content_key, version_date FROM firstpromoter_commission_version WHERE commission_id = $1', [commissionId],
    );
    return rows.map((row) => ({ contentKey: row.content_key, versionDate: row.version_date }));
  }

  /** Records the date a content got; a concurrent writer that recorded it first wins, and its date is returned. */
  async recordVersion(commissionId: string, contentKey: string, versionDate: string): Promise<string> {
    await this.dataSource.query(
      'INSERT INTO firstpromoter_commission_version (commission_id, content_key, version_date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [commissionId, contentKey, versionDate],
    );
    const rows: { version_date: string }[] = await this.dataSource.query(
      'SELECT version_date FROM firstpromoter_commission_version WHERE commission_id = $1 AND content_key = $2', [commissionId, contentKey],
    );
    return rows[0].version_date;
  }

  async recordLegacyPending(entry: { eventId: string; reason: LegacyPendingReason; fulfilmentId: string | null; unit: string | null; campaignId: string | null }): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO firstpromoter_legacy_pending (event_id, reason, fulfilment_id, unit, campaign_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO UPDATE SET reason = EXCLUDED.reason',
      [entry.eventId, entry.reason, entry.fulfilmentId, entry.unit, entry.campaignId],
    );
  }
}

/**
 * Gives an observation the version date of its content (assignFirstPromoterVersionDate), so an
 * amount, unit or attribution change with the same status reaches the ledger as a newer version.
 */
export async function versionedObservation(directory: FirstPromoterDirectoryRepository, observation: CommissionObserved, changedAt: string): Promise<CommissionObserved> {
  const known = await directory.knownVersions(observation.commissionId);
  const assigned = assignFirstPromoterVersionDate(observation, known, changedAt);
  const recorded = await directory.recordVersion(observation.commissionId, firstPromoterContentKey(observation), assigned);
  return withFirstPromoterVersionDate(observation, recorded);
}

/** TypeORM's postgres driver answers an UPDATE ... RETURNING as [rows, affectedCount]. */
function updatedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? result[0] : result) as T[];
}
