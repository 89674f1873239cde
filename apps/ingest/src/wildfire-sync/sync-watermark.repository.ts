import { canonicalTimestamp } from '@earnings/domain';
import { DataSource } from 'typeorm';

export class SyncWatermarkRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The modified date up to which every commission is known to be in Kafka, or null before the first sync. */
  async syncedThrough(name: string): Promise<string | null> {
    const rows: { synced_through: string }[] = await this.dataSource.query('SELECT synced_through FROM sync_watermark WHERE name = $1', [name]);
    return rows.length === 0 ? null : canonicalTimestamp(rows[0].synced_through);
  }

  /** Never moves backwards: a backfill of an old range leaves a newer watermark alone. */
  async advance(name: string, syncedThrough: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sync_watermark (name, synced_through) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET synced_through = GREATEST(sync_watermark.synced_through, EXCLUDED.synced_through), updated_at = now()`,
      [name, syncedThrough],
    );
  }
}
