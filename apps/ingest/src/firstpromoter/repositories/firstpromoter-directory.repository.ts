import { FirstPromoterPromoterIdentity, LegacyPendingReason } from '@earnings/domain';
import { DataSource } from 'typeorm';

export type PromoterSource = 'webhook' | 'legacy-webhook' | 'promoters-api';

/** Lookups asked at most per call: a pull chunk holds up to 500 commissions. */
const lookupIdsMax = 1_000;

/**
 * The promoter directory (FirstPromoter's API names a commission's promoter without its
 * `cust_id`) and the legacy fulfilments left pending: all their SQL. A promoter's user id only
 * decides the owner of commissions first observed after it was learnt; kept owners never follow it.
 */
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

  async recordLegacyPending(entry: { eventId: string; reason: LegacyPendingReason; fulfilmentId: string | null; unit: string | null; campaignId: string | null }): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO firstpromoter_legacy_pending (event_id, reason, fulfilment_id, unit, campaign_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO UPDATE SET reason = EXCLUDED.reason',
      [entry.eventId, entry.reason, entry.fulfilmentId, entry.unit, entry.campaignId],
    );
  }
}
