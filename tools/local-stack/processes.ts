import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from './kafka-broker';

/** The apps `npm start` and the end-to-end tests run, each as its own Node process from dist/. */
export const appEntryPoints = {
  ingest: 'dist/apps/ingest/src/main.js',
  'ledger-projector': 'dist/apps/ledger-projector/src/main.js',
  payout: 'dist/apps/payout/src/main.js',
  query: 'dist/apps/query/src/main.js',
  'partner-simulator': 'dist/apps/partner-simulator/src/main.js',
} as const;
export type AppName = keyof typeof appEntryPoints;

/** The dashboard's server: started by `npm start` and the browser tests, not a service of the ledger. */
export const dashboardEntryPoint = 'dist/apps/dashboard/server/main.js';
export type ProcessName = AppName | 'dashboard';
const entryPointOf = (name: ProcessName): string => (name === 'dashboard' ? dashboardEntryPoint : appEntryPoints[name]);

/** The simulator is not a product service, and the dashboard serves files: neither has dependencies to be ready for, only /health. */
export const readinessPathOf = (app: ProcessName): string => (app === 'partner-simulator' || app === 'dashboard' ? '/health' : '/health/ready');

export interface ServiceProcess {
  name: ProcessName;
  child: ChildProcess;
  baseUrl: string;
  /** SIGTERM, then SIGKILL after the timeout; resolves with the exit code (null when killed). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL at once: a crash, for fault tests. */
  kill(): Promise<void>;
}

export interface StartOptions {
  workspaceRoot: string;
  name: ProcessName;
  port: number;
  env: Record<string, string | undefined>;
  /** Where the process's JSON log goes; default: inherited stdout with a name prefix. */
  logFile?: string;
  /** Extra Node.js options before the entry point, such as `--cpu-prof` (the benchmark's profiles). */
  nodeArgs?: string[];
  /**
   * Run in a process group of its own, so a Ctrl-C in the terminal (sent to the whole foreground
   * group) reaches only the parent, which then stops this process once; without it the process got
   * SIGINT from the terminal and SIGTERM from the parent.
   */
  ownProcessGroup?: boolean;
}

export function startServiceProcess(options: StartOptions): ServiceProcess {
  const entryPoint = join(options.workspaceRoot, entryPointOf(options.name));
  if (!existsSync(entryPoint)) throw new Error(`${entryPoint} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, ['--enable-source-maps', ...(options.nodeArgs ?? []), entryPoint], {
    cwd: options.workspaceRoot,
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    const prefix = `[${options.name}] `;
    const forward = (chunk: Buffer) => process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, prefix));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: options.name,
    child,
    baseUrl: `http://127.0.0.1:${options.port}`,
    stop: async (timeoutMs = 30_000) => {
      await stopProcess(child, timeoutMs);
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls a readiness URL until it answers 200; fails early if the process exits. */
export async function waitUntilReady(service: ServiceProcess, path = '/health/ready', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with code ${service.child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${service.baseUrl}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastProblem = `${response.status} ${await response.text()}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} not ready within ${timeoutMs} ms: ${lastProblem}`);
}
