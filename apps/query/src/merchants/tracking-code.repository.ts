import { canonicalTimestamp } from '@earnings/domain';
import { DataSource } from 'typeorm';

/** One version of one commission: the key of a tracking code as sent. */
export interface CommissionVersionKey {
  source: string;
  commissionId: string;
  modifiedDate: string;
}

export const versionKeyText = (key: CommissionVersionKey): string => `${key.source}\u0000${key.commissionId}\u0000${canonicalTimestamp(key.modifiedDate)}`;

/**
 * The tracking codes that could not be an AUI, through the view ingest publishes
 * (`unattributed_tracking_code`): support reads them on ~unattributed's transactions.
 */
export class TrackingCodeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The code as sent for each version, in order; null for a version that came with a usable AUI (or none). */
  async trackingCodesOf(keys: readonly CommissionVersionKey[]): Promise<(string | null)[]> {
    const rows: { source: string; commission_id: string; modified_date: string; tracking_code_as_sent: string }[] = await this.dataSource.query(
      `SELECT source, commission_id, modified_date, tracking_code_as_sent FROM unattributed_tracking_code
        WHERE (source, commission_id, modified_date) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]))`,
      [keys.map((key) => key.source), keys.map((key) => key.commissionId), keys.map((key) => key.modifiedDate)],
    );
    const found = new Map(rows.map((row) => [versionKeyText({ source: row.source, commissionId: row.commission_id, modifiedDate: row.modified_date }), row.tracking_code_as_sent]));
    return keys.map((key) => found.get(versionKeyText(key)) ?? null);
  }
}
