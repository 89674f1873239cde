import { canonicalTimestamp } from '@earnings/domain';
import { assertSchemaName, currentProjectionSchema } from '@earnings/persistence';
import { DataSource } from 'typeorm';

export interface BalanceView {
  unit: string;
  lifetime: string;
  pending: string;
  available: string;
  paidOut: string;
  paidByNetwork: string;
}

export interface EarningsView {
  aui: string;
  balances: BalanceView[];
  updatedAt: string | null;
}

const schemaPointerTtlMs = 1_000;

/** Reads the ledger's read model through the projection pointer, so a rebuild's switch reaches readers within a second. */
export class EarningsRepository {
  private schema: { name: string; readAt: number } | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async earningsOf(aui: string): Promise<EarningsView> {
    const schema = await this.projectionSchema();
    const rows: { unit: string; lifetime: string; pending: string; available: string; paid_out: string; paid_by_network: string; updated_at: string }[] =
      await this.dataSource.query(
        `SELECT unit, lifetime::text, pending::text, available::text, paid_out::text, paid_by_network::text, updated_at
           FROM ${schema}.balance WHERE aui = $1 ORDER BY unit`,
        [aui],
      );
    const updatedAt = rows.reduce<string | null>((latest, row) => (latest === null || row.updated_at > latest ? row.updated_at : latest), null);
    return {
      aui,
      balances: rows.map((row) => ({
        unit: row.unit,
        lifetime: row.lifetime,
        pending: row.pending,
        available: row.available,
        paidOut: row.paid_out,
        paidByNetwork: row.paid_by_network,
      })),
      updatedAt: updatedAt === null ? null : canonicalTimestamp(updatedAt),
    };
  }

  private async projectionSchema(): Promise<string> {
    if (this.schema && Date.now() - this.schema.readAt < schemaPointerTtlMs) return this.schema.name;
    const name = assertSchemaName(await currentProjectionSchema(this.dataSource));
    this.schema = { name, readAt: Date.now() };
    return name;
  }
}
