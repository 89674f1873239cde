import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../local-stack/kafka-broker';

/**
 * A PostgreSQL cluster of the fault suite's own, in a temporary folder on a free port: the
 * machine's server on 5432 is shared, so it is never the one restarted. Run as the `postgres`
 * user when this process is root (initdb refuses root).
 */
export interface PrivatePostgres {
  /** The cluster's `postgres` database, for creating the scenarios' databases. */
  serverUrl: string;
  port: number;
  /** Stops the server as a crash would (`-m immediate`: no checkpoint), waits `downMs`, starts it again. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

const pgCtlTimeoutSeconds = 60;

export async function startPrivatePostgres(log: (message: string) => void): Promise<PrivatePostgres> {
  const binaries = postgresBinaries();
  const directory = mkdtempSync(join(tmpdir(), 'earnings-faults-pg-'));
  const runAs = asPostgresUser(directory);
  const dataDirectory = join(directory, 'data');
  const port = await freePort();
  await runAs(join(binaries, 'initdb'), ['-D', dataDirectory, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // fsync off: a restart of the server process keeps the OS page cache, so nothing committed is lost; it only spares the shared disk.
  const serverOptions = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off`;
  const pgCtl = (args: string[]) => runAs(join(binaries, 'pg_ctl'), ['-D', dataDirectory, '-w', '-t', String(pgCtlTimeoutSeconds), ...args]);
  const start = () => pgCtl(['-o', serverOptions, '-l', join(directory, 'server.log'), 'start']);
  await start();
  log(`private PostgreSQL ${binaries.split('/').at(-2)} on 127.0.0.1:${port} (data and log in ${directory})`);
  return {
    serverUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async (downMs) => {
      await pgCtl(['-m', 'immediate', 'stop']);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    stop: async () => {
      try {
        await pgCtl(['-m', 'fast', 'stop']);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

/** FAULTS_POSTGRES_BIN, or the newest /usr/lib/postgresql/<version>/bin holding pg_ctl and initdb. */
function postgresBinaries(): string {
  if (process.env.FAULTS_POSTGRES_BIN) return process.env.FAULTS_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'pg_ctl'))) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries (pg_ctl, initdb) under /usr/lib/postgresql; set FAULTS_POSTGRES_BIN');
  versions.sort((left, right) => Number(right) - Number(left));
  return join(root, versions[0], 'bin');
}

/**
 * Runs a server binary directly, or through runuser as `postgres` when this process is root.
 * Asynchronously: the load and the readiness probes of a scenario keep running in this process meanwhile.
 */
function asPostgresUser(directory: string): (file: string, args: string[]) => Promise<unknown> {
  const run = promisify(execFile);
  if (userInfo().uid !== 0) return (file, args) => run(file, args);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(directory, uid, gid);
  return (file, args) => run('runuser', ['-u', 'postgres', '--', file, ...args]);
}
