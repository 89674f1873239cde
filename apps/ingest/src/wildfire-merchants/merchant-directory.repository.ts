import { WildfireMerchant } from '@earnings/domain';
import { DataSource } from 'typeorm';

/** A merchant Wildfire did not describe when asked by id is asked again after this long, not at every turn. */
const lookupRetryAfter = '1 day';

/** All SQL of the Wildfire merchant directory. Readers outside ingest use the view `wildfire_merchant_directory`. */
export class MerchantDirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Merchant ids seen on commissions; a known one is left as it is. */
  async noteSeen(merchantIds: readonly string[]): Promise<void> {
    if (merchantIds.length === 0) return;
    await this.dataSource.query('INSERT INTO wildfire_merchant (merchant_id) SELECT unnest($1::text[]) ON CONFLICT (merchant_id) DO NOTHING', [merchantIds]);
  }

  /** Seen and not described yet, oldest sighting first. */
  async toDescribe(limit: number): Promise<string[]> {
    const rows: { merchant_id: string }[] = await this.dataSource.query(
      `SELECT merchant_id FROM wildfire_merchant
        WHERE described_at IS NULL AND (looked_up_at IS NULL OR looked_up_at < now() - interval '${lookupRetryAfter}')
        ORDER BY first_seen_at, merchant_id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.merchant_id);
  }

  async markLookedUp(merchantIds: readonly string[]): Promise<void> {
    await this.dataSource.query('UPDATE wildfire_merchant SET looked_up_at = now() WHERE merchant_id = ANY($1::text[])', [merchantIds]);
  }

  /** What Wildfire says of each merchant now; a later description replaces an earlier one. */
  async describe(merchants: readonly WildfireMerchant[]): Promise<void> {
    if (merchants.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO wildfire_merchant (merchant_id, name, logo_url, disabled, described_at)
       SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[])
       ON CONFLICT (merchant_id) DO UPDATE SET name = EXCLUDED.name, logo_url = EXCLUDED.logo_url, disabled = EXCLUDED.disabled, described_at = EXCLUDED.described_at`,
      [merchants.map((m) => m.merchantId), merchants.map((m) => m.name), merchants.map((m) => m.logoUrl), merchants.map((m) => m.disabled)],
    );
  }

  async listReadAt(name: string): Promise<Date | null> {
    const rows: { completed_at: Date }[] = await this.dataSource.query('SELECT completed_at FROM partner_list_sync WHERE name = $1', [name]);
    return rows[0]?.completed_at ?? null;
  }

  async listRead(name: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO partner_list_sync (name, completed_at) VALUES ($1, now()) ON CONFLICT (name) DO UPDATE SET completed_at = EXCLUDED.completed_at`,
      [name],
    );
  }
}
