import { Client } from 'pg';
import { generateScenario, produceScenario } from './ledger-scenario';
import { createSuiteDatabase, eventually, projectFromCurrentEnd, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * Issue 17, finding 6: readiness means "applying". A projector whose writes are blocked while
 * messages pile up used to answer 200 on /health/ready; now it answers 503 naming how far behind
 * it is, and 200 again once it caught up, without a restart.
 */
describe('projector readiness', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const consumerGroup = `projector-readiness-${uniqueSuffix()}`;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('projector_readiness');
    await projectFromCurrentEnd(database.url, consumerGroup);
    apps = await startApps(['ledger-projector'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: consumerGroup, LOG_LEVEL: 'warn', PROJECTOR_READY_LAG_EVENTS_MAX: '50',
    });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  const readiness = async () => {
    const response = await fetch(apps.url('ledger-projector', '/health/ready'));
    return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
  };

  it('is not ready while it has fallen behind, says why, and is ready again once it caught up', async () => {
    expect((await readiness()).status).toBe(200);
    const blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    try {
      const schema = (await blocker.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
      // Blocks every write of the projector's offsets (so every chunk), while plain reads, readiness's among them, go on.
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${schema}.consumer_offset IN EXCLUSIVE MODE`);
      await produceScenario(requireTestInfrastructure().brokers, generateScenario({ seed: 6, auiPrefix: `readiness-${uniqueSuffix()}`, observationCount: 200 }));
      const behind = await eventually(readiness, (answer) => answer.status === 503, 30_000);
      expect(behind.body.checks.lag).toMatch(/messages not yet applied \(more than 50\)/);
      expect((await fetch(apps.url('ledger-projector', '/health/live'))).status).toBe(200);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    await waitForProjectorToCatchUp(database.url, consumerGroup);
    expect((await eventually(readiness, (answer) => answer.status === 200, 30_000)).status).toBe(200);
  }, 120_000);
});
