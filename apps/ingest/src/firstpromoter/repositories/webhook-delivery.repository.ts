import { DataSource } from 'typeorm';

/**
 * Delivery ids already recorded, so a redelivered webhook (FirstPromoter retries up to 3 times,
 * and may deliver twice) has no second effect. Recorded only after Kafka acknowledged the
 * delivery; a crash in between lets the redelivery through, and the ledger then drops the
 * identical observation by its modified date.
 */
export class WebhookDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async wasRecorded(source: string, deliveryId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM webhook_delivery WHERE source = $1 AND delivery_id = $2', [source, deliveryId]);
    return rows.length > 0;
  }

  async record(source: string, deliveryId: string): Promise<void> {
    await this.dataSource.query('INSERT INTO webhook_delivery (source, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [source, deliveryId]);
  }
}
