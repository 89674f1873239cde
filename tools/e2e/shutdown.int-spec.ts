import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { freePort } from '../local-stack/kafka-broker';
import { appEntryPoints } from '../local-stack/processes';
import { createSuiteDatabase, requireTestInfrastructure, startApps, SuiteDatabase, uniqueSuffix } from './test-stack';

const shutdownTimeoutMs = 5_000;
/** Beyond the shutdown deadline: time for the process to be reaped and the test to see it. */
const exitObservedMsMax = shutdownTimeoutMs + 5_000;

/** Resolves with how the process ended, or with 'still running' once the bound has passed. */
function exitOf(child: ChildProcess, boundMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), boundMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function readyWithin(url: string, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false);
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * Graceful shutdown (issue 17, finding 7): exactly once per process whoever sends the signals,
 * and bounded even when nobody reads the log any more.
 */
describe('graceful shutdown', () => {
  let database: SuiteDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('shutdown');
    env = {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, LOG_LEVEL: 'info',
      WILDFIRE_CALLBACK_KEYS: 'e2e-shutdown-callback-key', SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      PROJECTOR_CONSUMER_GROUP: `shutdown-${uniqueSuffix()}`, PROJECTOR_SESSION_TIMEOUT_MS: '6000',
    };
  });

  afterAll(async () => {
    await database?.drop();
  });

  it.each(['ingest', 'ledger-projector'] as const)('%s: two SIGTERMs in a row drain once and exit 0 within the deadline', async (app) => {
    const running = await startApps([app], env);
    const child = running.services.get(app)!.child;
    try {
      child.kill('SIGTERM');
      child.kill('SIGTERM');
      expect(await exitOf(child, exitObservedMsMax)).toEqual({ code: 0, signal: null });
    } finally {
      await running.stopAll();
    }
  }, 120_000);

  it('exits within the deadline when the log reader has stopped reading (a full pipe)', async () => {
    // A FIFO whose reader stays open but never reads, filled up before the service starts: every
    // log write would block. The service must still start, answer, and stop on SIGTERM.
    const directory = process.env.TEST_SCRATCH_DIR ?? tmpdir();
    const fifo = join(directory, `stalled-log-${uniqueSuffix()}`);
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const filler = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    fillPipe(filler);
    // The service gets a blocking descriptor of the same full pipe, as a process started with a pipe for stdout would.
    const serviceEnd = openSync(fifo, constants.O_WRONLY);
    const port = await freePort();
    const child = spawn(process.execPath, [join(workspaceRoot(), appEntryPoints.ingest)], {
      cwd: workspaceRoot(),
      env: { ...process.env, ...env, INGEST_PORT: String(port) },
      stdio: ['ignore', serviceEnd, 'ignore'],
    });
    try {
      expect(await readyWithin(`http://127.0.0.1:${port}/health/ready`, 60_000)).toBe(true);
      child.kill('SIGTERM');
      child.kill('SIGTERM');
      expect(await exitOf(child, exitObservedMsMax)).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const descriptor of [serviceEnd, filler, reader]) closeSync(descriptor);
      rmSync(fifo, { force: true });
    }
  }, 120_000);
});

function fillPipe(descriptor: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let written = 0; written < 64 * 1024 * 1024; ) {
    try {
      written += writeSync(descriptor, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
      throw error;
    }
  }
  throw new Error('the pipe never filled up');
}
