import { CommissionObserved } from '@earnings/contracts';
import { DataSource } from 'typeorm';

/**
 * The tracking codes that could not be an AUI, per commission version, for support: published to
 * readers as the view `unattributed_tracking_code`. The observation on Kafka carries the same
 * literal; this copy makes it visible through GraphQL.
 */
export class TrackingCodeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent: the same version again (a resent callback, the next sync) changes nothing. */
  async keep(observations: readonly CommissionObserved[]): Promise<void> {
    const kept = observations.filter((observation) => observation.trackingCodeAsSent !== undefined);
    if (kept.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO wildfire_tracking_code_as_sent (commission_id, modified_date, tracking_code_as_sent)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[])
       ON CONFLICT ON CONSTRAINT wildfire_tracking_code_as_sent_version DO NOTHING`,
      [kept.map((o) => o.commissionId), kept.map((o) => o.modifiedDate), kept.map((o) => o.trackingCodeAsSent)],
    );
  }
}
