import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '../../../../tools/local-stack/database';
import { requireTestInfrastructure } from '../../../../tools/e2e/test-stack';
import { createDataSource, expectedMigrationName, postgresReadinessCheck, runMigrations } from '../data-source';

/**
 * A rollout must not send traffic to a version whose schema is not there yet: readiness says so
 * until the release's setup has applied this build's migrations.
 */
describe('postgresReadinessCheck: ready only once the schema is at this build', () => {
  const server = new URL(requireTestInfrastructure().databaseUrl);
  server.pathname = '/postgres';
  const name = `schema_readiness_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await dropDatabase(server.toString(), name);
  });

  it('is not ready on an empty database, nor on an older schema, and is once the migrations ran', async () => {
    const url = await ensureDatabase(server.toString(), name, true);
    const dataSource = createDataSource({ url, applicationName: 'schema-readiness-test', poolSizeMax: 1 });
    await dataSource.initialize();
    try {
      const check = postgresReadinessCheck(dataSource);
      await expect(check.check()).rejects.toThrow('the database has no schema yet: run setup (its migrations)');
      await runMigrations(url);
      await expect(check.check()).resolves.toBeUndefined();
      // The build after the next release's migration, against today's schema:
      await expect(postgresReadinessCheck(dataSource, 'NextRelease1799999999999').check()).rejects.toThrow(
        "the database schema is older than this build: waiting for migration NextRelease1799999999999 (run this release's setup)",
      );
      expect(expectedMigrationName).toMatch(/\d{13}$/);
    } finally {
      await dataSource.destroy();
    }
  });
});
