import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { freePort } from '../local-stack/kafka-broker';
import { createSuiteDatabase, requireTestInfrastructure, SuiteDatabase, uniqueSuffix } from './test-stack';

const startedMarkers = /\[start\] (ready in|!!! NOT READY)/;

/**
 * `npm start` as a developer runs it (issue 17, findings 7 and 10): with custom
 * WILDFIRE_CALLBACK_KEYS the sample data is signed with a key ingest accepts, and a Ctrl-C (SIGINT
 * to the whole foreground process group) stops every service exactly once, cleanly.
 */
describe('npm start', () => {
  let database: SuiteDatabase;
  let start: ChildProcess;
  let output = '';

  const waitForOutput = (pattern: RegExp, boundMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (pattern.test(output)) return resolve(true);
      const timer = setTimeout(() => resolve(false), boundMs);
      const check = () => {
        if (!pattern.test(output)) return;
        clearTimeout(timer);
        start.stdout?.off('data', check);
        start.stderr?.off('data', check);
        resolve(true);
      };
      start.stdout?.on('data', check);
      start.stderr?.on('data', check);
    });

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('local_stack_start');
    const suffix = uniqueSuffix();
    const ports = { INGEST_PORT: await freePort(), PROJECTOR_PORT: await freePort(), PAYOUT_PORT: await freePort(), QUERY_PORT: await freePort(), SIMULATOR_PORT: await freePort(), DASHBOARD_PORT: await freePort() };
    start = spawn(process.execPath, [join(workspaceRoot(), 'dist/tools/local-stack/start.js')], {
      cwd: workspaceRoot(),
      // Its own process group, as a terminal's foreground job is: the test's SIGINT then reaches it as a Ctrl-C would.
      detached: true,
      env: {
        ...process.env, KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'info',
        ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        WILDFIRE_CALLBACK_KEYS: `custom-callback-key-${suffix},previous-callback-key`, WILDFIRE_CALLBACK_KEY: '',
        SIMULATOR_COMMISSIONS: '40', SIMULATOR_USERS: '5', WILDFIRE_SYNC_ON_START: 'false',
        PROJECTOR_CONSUMER_GROUP: `local-stack-${suffix}`, PROJECTOR_SESSION_TIMEOUT_MS: '6000',
        PAYOUT_CONSUMER_GROUP: `local-stack-${suffix}-payout`, PAYOUT_SESSION_TIMEOUT_MS: '6000', PAYOUT_RUN_CRON: '0 0 1 1 *',
        // Low enough that one of the few sample users reaches it (npm start's own 300 commissions reach the default 10).
        PAYOUT_THRESHOLDS: 'USD:1,EUR:1,GBP:1',
        SHUTDOWN_TIMEOUT_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    // Registered before waitForOutput's listeners, so they see each chunk already collected.
    start.stdout?.on('data', collect);
    start.stderr?.on('data', collect);
    if (!(await waitForOutput(startedMarkers, 150_000))) throw new Error(`npm start did not finish starting:\n${output.slice(-5_000)}`);
  }, 180_000);

  afterAll(async () => {
    if (start && start.exitCode === null && start.signalCode === null && start.pid !== undefined) process.kill(-start.pid, 'SIGKILL');
    await database?.drop();
  });

  it('signs the sample callbacks with the configured key, so ingest accepts them and it says ready', () => {
    expect(output).toMatch(/sample callbacks accepted/);
    expect(output).toMatch(/\[start\] ready in/);
    expect(output).not.toMatch(/NOT READY/);
  });

  it('pays one sample user, so the local account shows a payout (issue 24)', () => {
    expect(output).toMatch(/\[start\] sample data: a payout of \d+(\.\d+)? [A-Z]{3} to sim-user-\d{4} \(account credit, succeeded\)/);
  });

  it('stops every service once and cleanly on a Ctrl-C to the process group', async () => {
    const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
    process.kill(-start.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
    expect(code).toBe(0);
    for (const service of ['ingest', 'ledger-projector', 'payout', 'query']) {
      const lines = output.split('\n').filter((line) => line.startsWith(`[${service}] `));
      expect({ service, drains: lines.filter((line) => line.includes('shutting down: draining')).length, clean: lines.filter((line) => line.includes('shut down cleanly')).length }).toEqual({ service, drains: 1, clean: 1 });
    }
  }, 90_000);
});
