import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Decimal } from '@earnings/domain';
import { workspaceRoot } from '@earnings/testing';
import { Client } from 'pg';
import { createSuiteDatabase, projectFromCurrentEnd, requireTestInfrastructure, RunningApps, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

/**
 * Issue 15: `reconcile` compares the ledger with Wildfire's Commission API. The simulator holds
 * one commission back from its API while a sync fills the ledger (the ledger agrees with the
 * API: clean, exit 0); released, the API lists a commission the ledger never saw (missing, exit
 * 2); `--repair` publishes it through ingest's publisher and every balance becomes exact.
 */
interface Report { source: string; compared: number; counts: { missing: number; differing: number; unknown: number }; findings: { kind: string; commissionId: string }[]; repaired: number }
interface Balance { aui: string; unit: string; lifetime: string; pending: string; available: string; paidByNetwork: string }

const credentials = { WILDFIRE_APP_ID: 'reconcile-app', WILDFIRE_APP_SECRET: 'reconcile-secret', WILDFIRE_DEVICE_TOKEN: 'reconcile-device', WILDFIRE_SENDER_TOKEN: 'reconcile-sender' };
const windowStart = '2000-01-01T00:00:00Z';

describe('reconcile against the Wildfire Commission API', () => {
  const suffix = uniqueSuffix();
  const auiPrefix = `reconcile-${suffix}-`;
  const projectorGroup = `reconcile-projector-${suffix}`;
  let database: SuiteDatabase;
  let apps: RunningApps;
  let commandEnv: Record<string, string>;
  // A stand-in Pushgateway: what each run pushed, by request path.
  const pushes: { path: string; body: string }[] = [];
  let pushgateway: Server;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    pushgateway = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        pushes.push({ path: `${request.method} ${request.url}`, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => pushgateway.listen(0, '127.0.0.1', resolve));
    database = await createSuiteDatabase('reconcile');
    // Other suites' Wildfire commissions share the topic; this projection starts at its end.
    await projectFromCurrentEnd(database.url, projectorGroup);
    apps = await startApps(['partner-simulator', 'ledger-projector'], {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, PROJECTOR_CONSUMER_GROUP: projectorGroup, LOG_LEVEL: 'warn',
      SIMULATOR_SEED: `reconcile-${suffix}`, SIMULATOR_AUI_PREFIX: auiPrefix, SIMULATOR_USERS: '8', SIMULATOR_COMMISSIONS: '60', SIMULATOR_API_INTERVAL_MS_MIN: '0',
      WILDFIRE_CALLBACK_KEY: 'reconcile-callback-key', ...credentials,
    });
    commandEnv = {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'warn', WILDFIRE_CALLBACK_KEYS: 'reconcile-callback-key',
      WILDFIRE_API_BASE_URL: apps.url('partner-simulator', ''), WILDFIRE_API_REQUEST_INTERVAL_MS_MIN: '0', ...credentials,
      RECONCILE_PUSHGATEWAY_URL: `http://127.0.0.1:${(pushgateway.address() as AddressInfo).port}`,
    };
  }, 120_000);

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
    await new Promise((resolve) => pushgateway?.close(resolve));
  });

  it('reports a clean ledger, then the record the API held back, and --repair makes every balance exact', async () => {
    const held = await firstVisibleCommission();
    await holdBack([held]);
    await runCommand('wildfire-backfill.js', ['--from', windowStart, '--to', new Date().toISOString()]);
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);

    const clean = await runCommand('reconcile.js', ['--source', 'wildfire', '--from', windowStart]);
    expect(clean.exitCode).toBe(0);
    expect(clean.report).toMatchObject({ source: 'wildfire', counts: { missing: 0, differing: 0, unknown: 0 }, repaired: 0 });
    expect(clean.report.compared).toBeGreaterThan(10);

    await holdBack([]);
    const drifted = await runCommand('reconcile.js', ['--source', 'wildfire', '--from', windowStart]);
    expect(drifted.exitCode).toBe(2);
    expect(drifted.report.findings).toEqual([expect.objectContaining({ kind: 'missing', commissionId: String(held) })]);
    // Each run pushed its figures for the alert (EarningsReconcileDrift): this one, one missing.
    expect(pushes.map((push) => push.path)).toEqual(['POST /metrics/job/earnings-reconcile', 'POST /metrics/job/earnings-reconcile']);
    expect(pushes[1].body).toMatch(/earnings_reconcile_differences\{source="wildfire",kind="missing"\} 1/);
    expect(await ledgerBalances()).not.toEqual(await simulatorTruth());

    const repaired = await runCommand('reconcile.js', ['--source', 'wildfire', '--from', windowStart, '--repair']);
    expect(repaired.report).toMatchObject({ counts: { missing: 1 }, repaired: 1 });
    await waitForProjectorToCatchUp(database.url, projectorGroup, 120_000);
    expect(await ledgerBalances()).toEqual(await simulatorTruth());
    expect((await runCommand('reconcile.js', ['--source', 'wildfire', '--from', windowStart])).exitCode).toBe(0);
  }, 240_000);

  async function runCommand(command: string, flags: string[]): Promise<{ exitCode: number; report: Report }> {
    const path = join(workspaceRoot(), 'dist/apps/ingest/src/commands', command);
    const outcome = await promisify(execFile)(process.execPath, [path, ...flags], { env: { ...process.env, ...commandEnv }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })
      .then(({ stdout }) => ({ exitCode: 0, stdout }))
      .catch((error: Error & { code?: number; stdout?: string; stderr?: string }) => {
        if (error.code === 2 && error.stdout) return { exitCode: 2, stdout: error.stdout };
        throw new Error(`${command} failed: ${error.message}\n${error.stderr ?? ''}`);
      });
    // Log lines are JSON on stdout too; the report is the line with the counts.
    const report = outcome.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((line) => line.counts !== undefined) as Report;
    return { exitCode: outcome.exitCode, report };
  }

  async function firstVisibleCommission(): Promise<number> {
    const commissions = (await (await fetch(apps.url('partner-simulator', '/_admin/commissions?limit=100'))).json()) as { commissionId: number; versions: { visible: boolean; applicationAmount: string }[] }[];
    const visible = commissions.find((commission) => commission.versions.some((version) => version.visible && !new Decimal(version.applicationAmount).isZero()));
    if (!visible) throw new Error('the simulator has no visible commission with an amount');
    return visible.commissionId;
  }

  async function holdBack(commissionIds: number[]): Promise<void> {
    const response = await fetch(apps.url('partner-simulator', '/_admin/commissions/held'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ commissionIds }) });
    expect(response.status).toBe(200);
  }

  async function simulatorTruth(): Promise<string[]> {
    const expected = (await (await fetch(apps.url('partner-simulator', '/_admin/expected-balances?version=v4'))).json()) as Balance[];
    return comparable(expected);
  }

  async function ledgerBalances(): Promise<string[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const schema = (await client.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
      const rows = await client.query(`SELECT aui, unit, lifetime::text, pending::text, available::text, paid_by_network::text AS "paidByNetwork" FROM ${schema}.balance WHERE aui LIKE $1`, [`${auiPrefix}%`]);
      return comparable(rows.rows as Balance[]);
    } finally {
      await client.end();
    }
  }
});

/** Balances as comparable text, zero balances left out (the simulator lists users with nothing yet). */
function comparable(balances: Balance[]): string[] {
  const figures = (balance: Balance) => [balance.lifetime, balance.pending, balance.available, balance.paidByNetwork].map((value) => new Decimal(value).toFixed());
  return balances.filter((balance) => figures(balance).some((value) => value !== '0')).map((balance) => `${balance.aui} ${balance.unit} ${figures(balance).join(' ')}`).sort();
}
