import { types } from 'pg';
import { DataSource } from 'typeorm';
import { allMigrations } from './migrations';

// Timestamps come back as PostgreSQL's text, not JS Date: Date keeps milliseconds only, and the
// ledger orders commission versions by microseconds. numeric and int8 already arrive as strings.
types.setTypeParser(types.builtins.TIMESTAMPTZ, (text) => text);
types.setTypeParser(types.builtins.TIMESTAMP, (text) => text);

export interface DatabaseOptions {
  url: string;
  /** Shows in pg_stat_activity, so an operator sees which service holds a connection. */
  applicationName: string;
  poolSizeMax?: number;
}

/** The one way services reach PostgreSQL: schema changes only through migrations, never synchronize. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    migrations: allMigrations,
    migrationsTableName: 'schema_migrations',
    logging: ['error', 'migration'],
    extra: {
      max: options.poolSizeMax ?? 10,
      application_name: options.applicationName,
      options: '-c TimeZone=UTC',
      connectionTimeoutMillis: 5_000,
    },
  });
}

/** Applies every pending migration and closes; what `setup` and the test harness run. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, applicationName: 'earnings-ledger-migrate', poolSizeMax: 2 });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** The newest migration this build knows: its code expects the schema at least at this version. */
export const expectedMigrationName = allMigrations[allMigrations.length - 1].name;

/**
 * PostgreSQL answers, and its schema is at the version this build was made with. During a rollout
 * the new version's pods stay not ready (and the old ones keep serving) until the release's setup
 * Job has applied its migrations; a schema newer than the build is fine, since a release's
 * migrations keep the previous release working.
 */
export function postgresReadinessCheck(dataSource: DataSource, migrationName = expectedMigrationName): { name: string; check: () => Promise<void> } {
  return {
    name: 'postgres',
    check: async () => {
      // Asked first, so that a database without the table answers plainly instead of logging a failed query at every probe.
      const [{ has_table: hasTable }] = await dataSource.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS has_table`);
      if (!hasTable) throw new Error('the database has no schema yet: run setup (its migrations)');
      const [{ applied }] = await dataSource.query('SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1) AS applied', [migrationName]);
      if (!applied) throw new Error(`the database schema is older than this build: waiting for migration ${migrationName} (run this release's setup)`);
    },
  };
}
