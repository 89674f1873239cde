import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@earnings/contracts';
import { createKafka, KafkaClient, readEndOffsets } from '@earnings/kafka';
import { runMigrations } from '@earnings/persistence';
import { createLogger } from '@earnings/service-shell';
import { workspaceRoot } from '@earnings/testing';
import { setup } from '../admin/setup';
import { dropDatabase, ensureDatabase, localServerUrl } from '../local-stack/database';
import { freePort, RunningBroker, startKafkaBroker, stopProcess } from '../local-stack/kafka-broker';
import { AppName, ServiceProcess, startServiceProcess, waitUntilReady } from '../local-stack/processes';
import { topicPartitions } from './limits';
import { MemoryWatcher } from './memory';

export interface BenchDatabase {
  name: string;
  url: string;
}

export interface StackOptions {
  /** Where CPU profiles of the service processes go; null: no profiling. */
  profileDirectory: string | null;
  log: (message: string) => void;
}

const portVariables: Record<AppName, string> = {
  ingest: 'INGEST_PORT',
  'ledger-projector': 'PROJECTOR_PORT',
  payout: 'PAYOUT_PORT',
  query: 'QUERY_PORT',
  'partner-simulator': 'SIMULATOR_PORT',
};

/**
 * The benchmark's own Kafka broker (fresh, on a free port) and PostgreSQL databases (fresh, one
 * per measurement), unless KAFKA_BROKERS / DATABASE_URL point elsewhere; with DATABASE_URL the
 * databases are created on that server. Starts the services from dist/ and watches their memory.
 */
export class BenchStack {
  readonly memory = new MemoryWatcher();
  readonly root = workspaceRoot();
  private readonly createdDatabases: string[] = [];
  private readonly running = new Set<{ stop(): Promise<unknown> }>();
  private silentLogger: ReturnType<typeof createLogger> | null = null;

  private constructor(
    readonly brokers: string,
    readonly serverUrl: string,
    readonly scratch: string,
    private readonly broker: RunningBroker | null,
    private readonly options: StackOptions,
  ) {}

  static async start(options: StackOptions): Promise<BenchStack> {
    const scratch = mkdtempSync(join(tmpdir(), 'earnings-bench-'));
    const root = workspaceRoot();
    const broker = process.env.KAFKA_BROKERS
      ? null
      : await startKafkaBroker({ workspaceRoot: root, port: await freePort(), dataDirectory: join(scratch, 'kafka'), fresh: true, heapMb: 1024, log: options.log });
    const brokers = process.env.KAFKA_BROKERS ?? broker!.brokers;
    const serverUrl = serverOf(process.env.DATABASE_URL ?? localServerUrl);
    const stack = new BenchStack(brokers, serverUrl, scratch, broker, options);
    if (broker) stack.memory.watch('kafka broker (JVM)', broker.pid);
    return stack;
  }

  /** A client like the services' (KAFKA_SECURITY_PROTOCOL and the rest apply), with its log silenced. */
  kafka(clientId = 'earnings-bench'): KafkaClient {
    this.silentLogger ??= createLogger('bench', 'silent');
    return createKafka({ clientId, brokers: this.brokers.split(',') }, this.silentLogger);
  }

  /** A fresh database with the migrations applied; the first one also creates the topics (setup). */
  async database(label: string): Promise<BenchDatabase> {
    const name = `earnings_bench_${label}_${randomBytes(3).toString('hex')}`;
    const url = await ensureDatabase(this.serverUrl, name, true);
    this.createdDatabases.push(name);
    if (this.createdDatabases.length === 1) await setup({ databaseUrl: url, brokers: this.brokers.split(','), partitions: topicPartitions, replication: { replicationFactor: 1, minInSyncReplicas: 1 } });
    else await runMigrations(url);
    return { name, url };
  }

  /**
   * Starts `app` on a free port with the broker and `env`, waits until ready (or only live: a
   * projector is not ready until it has caught up, which is what a catch-up run times), and
   * watches its memory.
   */
  async startService(app: AppName, label: string, env: Record<string, string>, waitFor: 'ready' | 'live' = 'ready'): Promise<ServiceProcess> {
    const port = await freePort();
    const service = startServiceProcess({
      workspaceRoot: this.root,
      name: app,
      port,
      env: { KAFKA_BROKERS: this.brokers, HOST: '127.0.0.1', [portVariables[app]]: String(port), ...env },
      logFile: join(this.scratch, `${app}-${label}.log`),
      nodeArgs: this.profileArgs(`${app}-${label}`),
    });
    const memoryLabel = `${app} (${label})`;
    this.memory.watch(memoryLabel, service.child.pid!);
    const stopOriginal = service.stop;
    const handle = {
      stop: async (timeoutMs?: number) => {
        this.memory.forget(memoryLabel);
        this.running.delete(handle);
        return stopOriginal(timeoutMs);
      },
    };
    this.running.add(handle);
    service.stop = handle.stop;
    await waitUntilReady(service, app === 'partner-simulator' ? '/health' : `/health/${waitFor}`);
    return service;
  }

  /** Runs a compiled file of this workspace as a child process (bare servers, the rebuild command), watching its memory. */
  spawnNode(label: string, file: string, args: string[], env: Record<string, string>): { child: ChildProcess; stop(): Promise<void> } {
    const child = spawn(process.execPath, [...this.profileArgs(label), join(this.root, file), ...args], {
      cwd: this.root,
      env: { ...process.env, KAFKA_BROKERS: this.brokers, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.pipe(createWriteStream(join(this.scratch, `${label}.err.log`)));
    this.memory.watch(label, child.pid!);
    const handle = {
      stop: async () => {
        this.memory.forget(label);
        this.running.delete(handle);
        await stopProcess(child, 10_000);
      },
    };
    this.running.add(handle);
    return { child, stop: handle.stop };
  }

  /** A bare server of tools/bench/bare-servers.ts on a free port, once it answers. */
  async startBareServer(kind: 'http' | 'sql', label: string, env: Record<string, string> = {}): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
    const port = await freePort();
    const { child, stop } = this.spawnNode(label, 'dist/tools/bench/bare-servers.js', [kind, String(port)], env);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`bare ${kind} server exited with code ${child.exitCode}; see ${this.scratch}/${label}.err.log`);
      if (await fetch(`${url}/`).then((response) => response.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`bare ${kind} server did not answer within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { url, pid: child.pid!, stop };
  }

  /** Messages the topic has ever held (a count of events, well within a double at benchmark sizes). */
  async endOffsetTotal(topic: string = Topics.commissionObserved): Promise<number> {
    return [...(await readEndOffsets(this.kafka('earnings-bench-offsets'), [topic])).values()].reduce((sum, end) => sum + Number(end), 0);
  }

  async stop(keepScratch: boolean): Promise<void> {
    await Promise.allSettled([...this.running].map((handle) => handle.stop()));
    this.memory.stop();
    await this.broker?.stop();
    for (const name of this.createdDatabases) await dropDatabase(this.serverUrl, name).catch(() => undefined);
    rmSync(join(this.scratch, 'kafka'), { recursive: true, force: true });
    if (!keepScratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  private profileArgs(name: string): string[] {
    if (!this.options.profileDirectory) return [];
    // A folder per process and Node's own file names (CPU.<date>.<pid>.<thread>.<seq>): a fixed name would let a
    // worker thread's profile (the shutdown watchdog, async logging) overwrite the main thread's, thread 0.
    const directory = join(this.options.profileDirectory, name);
    mkdirSync(directory, { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${directory}`];
  }
}

function serverOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

