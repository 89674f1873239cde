import { DataSource, EntityManager } from 'typeorm';

/** Readers find the ledger's tables through this pointer; a rebuild switches it in one UPDATE. */
export const LEDGER_PROJECTION = 'ledger';

export async function currentProjectionSchema(database: DataSource | EntityManager): Promise<string> {
  const rows: { schema_name: string }[] = await database.query('SELECT schema_name FROM projection_pointer WHERE name = $1', [LEDGER_PROJECTION]);
  if (rows.length !== 1) throw new Error('projection_pointer has no ledger row: run the migrations (npm run setup)');
  return rows[0].schema_name;
}

/** Schema names are interpolated into SQL, so only plain identifiers are ever accepted. */
export function assertSchemaName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name: ${JSON.stringify(name)}`);
  return name;
}
