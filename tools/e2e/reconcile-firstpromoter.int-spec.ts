import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Decimal } from '@earnings/domain';
import { workspaceRoot } from '@earnings/testing';
import { Client } from 'pg';
import { createSuiteDatabase, projectFromCurrentEnd, requireTestInfrastructure, restartApp, RunningApps, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * Issue 15: `reconcile --source firstpromoter` compares the ledger with FirstPromoter's API. With
 * a third of the webhooks dropped, it reports the commissions the ledger never saw (exit 2);
 * `--repair` publishes them and every balance becomes exact; the next run is clean.
 */
interface Report { source: string; compared: number; counts: { missing: number; differing: number; unknown: number }; repaired: number }
interface Balance { aui: string; unit: string; lifetime: string; pending: string; available: string }

describe('reconcile against the FirstPromoter API', () => {
  const suffix = uniqueSuffix();
  const auiPrefix = `fp-reconcile-${suffix}-`;
  const projectorGroup = `fp-reconcile-projector-${suffix}`;
  const webhookSecret = `fp-reconcile-secret-${suffix}`;
  let database: SuiteDatabase;
  let apps: RunningApps;
  let ingestEnv: Record<string, string>;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('fp_reconcile');
    await projectFromCurrentEnd(database.url, projectorGroup);
    apps = await startApps(['partner-simulator', 'ledger-projector'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: projectorGroup, LOG_LEVEL: 'warn',
      SIMULATOR_SEED: `fp-reconcile-${suffix}`, SIMULATOR_AUI_PREFIX: auiPrefix, SIMULATOR_USERS: '1', SIMULATOR_COMMISSIONS: '1',
      SIMULATOR_FIRSTPROMOTER_COMMISSIONS: '60', SIMULATOR_FIRSTPROMOTER_WEBHOOK_SECRET: webhookSecret,
      FIRSTPROMOTER_API_KEY: 'fp-test-key', FIRSTPROMOTER_ACCOUNT_ID: 'fp-test-account',
    });
    ingestEnv = {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn', WILDFIRE_CALLBACK_KEYS: 'unused-in-this-suite',
      FIRSTPROMOTER_WEBHOOK_SECRETS: webhookSecret, FIRSTPROMOTER_API_KEY: 'fp-test-key', FIRSTPROMOTER_ACCOUNT_ID: 'fp-test-account',
      FIRSTPROMOTER_API_BASE_URL: `${apps.url('partner-simulator', '')}/api/v2/company`,
    };
    // Webhooks only: the scheduled pull would repair what this test wants reconcile to find.
    await restartApp(apps, 'ingest', { ...ingestEnv, FIRSTPROMOTER_API_KEY: '' });
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  it('reports the commissions dropped webhooks lost, and --repair makes every balance exact', async () => {
    const sent = (await (await fetch(apps.url('partner-simulator', '/_admin/firstpromoter/webhooks/send'), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: apps.url('ingest', '/webhooks/firstpromoter'), dropFraction: 0.3, redeliverFraction: 0 }),
    })).json()) as { dropped: number; failed: number };
    expect(sent).toMatchObject({ failed: 0 });
    expect(sent.dropped).toBeGreaterThan(0);
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);

    const drifted = await reconcile([]);
    expect(drifted.exitCode).toBe(2);
    expect(drifted.report.counts.missing).toBeGreaterThan(0);
    expect(await ledger()).not.toEqual(await truth());

    const repaired = await reconcile(['--repair']);
    expect(repaired.report.repaired).toBe(repaired.report.counts.missing + repaired.report.counts.differing);
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);
    expect(await ledger()).toEqual(await truth());
    expect(await reconcile([])).toMatchObject({ exitCode: 0, report: { counts: { missing: 0, differing: 0, unknown: 0 } } });
  }, 240_000);

  async function reconcile(flags: string[]): Promise<{ exitCode: number; report: Report }> {
    const path = join(workspaceRoot(), 'dist/apps/ingest/src/commands/reconcile.js');
    const outcome = await promisify(execFile)(process.execPath, [path, '--source', 'firstpromoter', '--from', '2000-01-01T00:00:00Z', ...flags], { env: { ...process.env, ...ingestEnv }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })
      .then(({ stdout }) => ({ exitCode: 0, stdout }))
      .catch((error: Error & { code?: number; stdout?: string; stderr?: string }) => {
        if (error.code === 2 && error.stdout) return { exitCode: 2, stdout: error.stdout };
        throw new Error(`reconcile failed: ${error.message}\n${error.stderr ?? ''}`);
      });
    const report = outcome.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((line) => line.counts !== undefined) as Report;
    return { exitCode: outcome.exitCode, report };
  }

  async function ledger(): Promise<string[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const schema = (await client.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
      const rows = await client.query(`SELECT aui, unit, lifetime::text, pending::text, available::text FROM ${schema}.balance WHERE aui LIKE $1`, [`${auiPrefix}%`]);
      return comparable(rows.rows as Balance[]);
    } finally {
      await client.end();
    }
  }

  async function truth(): Promise<string[]> {
    return comparable((await (await fetch(apps.url('partner-simulator', '/_admin/firstpromoter/expected-balances'))).json()) as Balance[]);
  }
});

function comparable(balances: Balance[]): string[] {
  const figures = (balance: Balance) => [balance.lifetime, balance.pending, balance.available].map((value) => new Decimal(value).toFixed());
  return balances.filter((balance) => figures(balance).some((value) => value !== '0')).map((balance) => `${balance.aui} ${balance.unit} ${figures(balance).join(' ')}`).sort();
}
