import { DataSource } from 'typeorm';

/** A store as the API shows it: the name and logo once ingest's directory knows the merchant, the id always. */
export interface MerchantView {
  id: string;
  name: string | null;
  logoUrl: string | null;
}

/** Reads ingest's merchant directory through the view ingest publishes (`wildfire_merchant_directory`), never its table. */
export class MerchantRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One view per id, in order; a merchant the directory does not know yet has its id only. */
  async merchantsOf(merchantIds: readonly string[]): Promise<MerchantView[]> {
    const rows: { merchant_id: string; name: string | null; logo_url: string | null }[] = await this.dataSource.query(
      'SELECT merchant_id, name, logo_url FROM wildfire_merchant_directory WHERE merchant_id = ANY($1::text[])',
      [merchantIds],
    );
    const known = new Map(rows.map((row) => [row.merchant_id, row]));
    return merchantIds.map((id) => ({ id, name: known.get(id)?.name ?? null, logoUrl: known.get(id)?.logo_url ?? null }));
  }
}
