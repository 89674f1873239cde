import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ledgerInputTopics } from '@earnings/contracts';
import { runMigrations } from '@earnings/persistence';
import { createKafka, KafkaClient, kafkaSecurityFromEnvironment, MessageSender, readEndOffsets, runConsumer } from '@earnings/kafka';
import pino from 'pino';
import { Client } from 'pg';
import { WILDFIRE_FIXTURE_CALLBACK_KEY, workspaceRoot } from '@earnings/testing';
import { ensureDatabase, dropDatabase } from '../local-stack/database';
import { freePort } from '../local-stack/kafka-broker';
import type { SaslSslListener } from '../local-stack/sasl-ssl-listener';
import { AppName, appEntryPoints, readinessPathOf, ServiceProcess, startServiceProcess, waitUntilReady } from '../local-stack/processes';

/**
 * What an integration test gets from `npm test`: the real broker (KAFKA_BROKERS) and PostgreSQL
 * (DATABASE_URL). Each suite makes its own database so its projection starts empty, and its own
 * consumer groups so it reads the topics from the start.
 */
export function requireTestInfrastructure(): { brokers: string; databaseUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  if (!brokers || !databaseUrl) {
    throw new Error('integration tests need KAFKA_BROKERS and DATABASE_URL: run them with `npm test`, which starts a real broker and database');
  }
  return { brokers, databaseUrl };
}

/** A client of the test broker, or of `brokers` (plain text, whatever the suite's environment says), logging nothing. */
export function testKafka(clientId: string, brokers = requireTestInfrastructure().brokers): KafkaClient {
  return createKafka({ brokers: brokers.split(','), clientId, security: kafkaSecurityFromEnvironment({}) }, pino({ level: 'silent' }));
}

/**
 * The broker's SASL_SSL listener, which `npm test` opens beside the PLAINTEXT one (see
 * withTestInfrastructure): its address, CA file and user.
 */
export function requireSaslSslListener(): SaslSslListener {
  const file = process.env.TEST_KAFKA_SASL_SSL_LISTENER;
  if (!file) throw new Error('this suite needs the test broker\'s SASL_SSL listener (TEST_KAFKA_SASL_SSL_LISTENER): run it with `npm test`, which opens one');
  return JSON.parse(readFileSync(file, 'utf8')) as SaslSslListener;
}

export interface SuiteDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createSuiteDatabase(label: string): Promise<SuiteDatabase> {
  const { databaseUrl } = requireTestInfrastructure();
  const server = new URL(databaseUrl);
  server.pathname = '/postgres';
  const name = `${label}_${randomBytes(4).toString('hex')}`;
  const url = await ensureDatabase(server.toString(), name, true);
  await runMigrations(url);
  return { url, drop: () => dropDatabase(server.toString(), name) };
}

export const uniqueSuffix = (): string => randomBytes(4).toString('hex');

export interface RunningApps {
  services: Map<AppName, ServiceProcess>;
  ports: Record<AppName, number>;
  logDirectory: string;
  url(app: AppName, path: string): string;
  stopAll(): Promise<Map<AppName, number | null>>;
}

/** Starts the given apps as separate processes from dist/ on free ports and waits until each is ready. */
export async function startApps(apps: AppName[], env: Record<string, string>): Promise<RunningApps> {
  const logDirectory = process.env.TEST_SCRATCH_DIR ?? tmpdir();
  const ports = {} as Record<AppName, number>;
  for (const app of Object.keys(appEntryPoints) as AppName[]) ports[app] = await freePort();
  const services = new Map<AppName, ServiceProcess>(apps.map((app) => [app, startOnItsPort(ports, logDirectory, app, env)]));
  await Promise.all([...services.values()].map((service) => waitUntilReady(service, readinessPathOf(service.name))));
  return {
    services,
    ports,
    logDirectory,
    url: (app, path) => `http://127.0.0.1:${ports[app]}${path}`,
    stopAll: async () => {
      const codes = new Map<AppName, number | null>();
      await Promise.all([...services].map(async ([app, service]) => codes.set(app, await service.stop())));
      return codes;
    },
  };
}

/**
 * Starts one more instance of `app` (a second projector in the same consumer group, say) on a port
 * of its own, with `env`, and waits until it is ready. The caller stops it.
 */
export async function startAnotherInstance(running: RunningApps, app: AppName, env: Record<string, string>): Promise<ServiceProcess> {
  const ports = { ...running.ports, [app]: await freePort() };
  const service = startOnItsPort(ports, running.logDirectory, app, env);
  await waitUntilReady(service, readinessPathOf(app));
  return service;
}

/** Every app learns every app's port, so they can reach each other; logs go to the scratch folder. */
function startOnItsPort(ports: Record<AppName, number>, logDirectory: string, app: AppName, env: Record<string, string>): ServiceProcess {
  const portEnv = {
    INGEST_PORT: String(ports.ingest),
    PROJECTOR_PORT: String(ports['ledger-projector']),
    PAYOUT_PORT: String(ports.payout),
    QUERY_PORT: String(ports.query),
    SIMULATOR_PORT: String(ports['partner-simulator']),
  };
  return startServiceProcess({ workspaceRoot: workspaceRoot(), name: app, port: ports[app], env: { ...portEnv, ...env }, logFile: join(logDirectory, `${app}-${ports[app]}.log`) });
}

/** Polls until `probe` returns a value that passes `accept`, or fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ data?: T; errors?: { message: string }[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: T; errors?: { message: string }[] };
}

/**
 * Resolves once the projector of `consumerGroup` has applied everything in its topics up to the
 * end offsets as of now: a deterministic barrier instead of a sleep.
 */
export async function waitForProjectorToCatchUp(databaseUrl: string, consumerGroup: string, timeoutMs = 60_000): Promise<void> {
  const ends = await readEndOffsets(testKafka('test-barrier'), ledgerInputTopics);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await eventually(
      async () => {
        const schema = (await client.query('SELECT schema_name FROM projection_pointer WHERE name = $1', ['ledger'])).rows[0].schema_name as string;
        const rows = (await client.query(`SELECT topic, partition, next_offset FROM ${schema}.consumer_offset WHERE consumer_group = $1`, [consumerGroup])).rows;
        const stored = new Map(rows.map((row) => [`${row.topic}/${row.partition}`, BigInt(row.next_offset)]));
        return [...ends].filter(([key, end]) => end > 0n && (stored.get(key) ?? 0n) < end).map(([key]) => key);
      },
      (behind) => behind.length === 0,
      timeoutMs,
    );
  } finally {
    await client.end();
  }
}

/** Sum of the end offsets of a topic's partitions: how many messages it has ever held. */
export async function topicEndOffset(topic: string): Promise<bigint> {
  return [...(await readEndOffsets(testKafka('test-offsets'), [topic])).values()].reduce((sum, end) => sum + end, 0n);
}

/** Every message of a topic from the beginning up to its end as of the call, read by a throwaway consumer group. */
export async function readWholeTopic(topic: string): Promise<{ key: string; value: string; headers: Record<string, string> }[]> {
  const kafka = testKafka('test-reader');
  const ends = await readEndOffsets(kafka, [topic]);
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([key]) => key));
  const messages: { key: string; value: string; headers: Record<string, string> }[] = [];
  if (remaining.size === 0) return messages;
  let allRead: () => void = () => undefined;
  const read = new Promise<void>((resolve) => (allRead = resolve));
  const reader = await runConsumer(kafka, {
    groupId: `test-reader-${randomBytes(4).toString('hex')}`, topics: [topic], offsets: { kind: 'replay' }, sessionTimeoutMs: 30_000, maxWaitTimeInMs: 100,
    stopBefore: (name, partition) => ends.get(`${name}/${partition}`) ?? 0n, logger: pino({ level: 'silent' }),
  }, async (batch) => {
    for (const message of batch.messages) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers)) headers[name] = String(value);
      messages.push({ key: message.key?.toString('utf8') ?? '', value: message.value?.toString('utf8') ?? '', headers });
    }
    const key = `${batch.topic}/${batch.partition}`;
    if (BigInt(batch.lastOffset) + 1n >= (ends.get(key) ?? 0n)) remaining.delete(key);
    if (remaining.size === 0) allRead();
  });
  await read;
  await reader.stop();
  return messages;
}

/**
 * A partner API key for the query service: spread `env` into startApps' environment and send
 * `headers` with every GraphQL request (the API answers UNAUTHENTICATED without credentials).
 */
export function queryApiKey(name = 'e2e', secret = 'e2e-query-api-key'): { env: Record<string, string>; headers: Record<string, string> } {
  return { env: { QUERY_API_KEYS: `${name}:earnings:read:${secret}` }, headers: { authorization: `Bearer ${secret}` } };
}

/**
 * Starts `app` again on its port with `env` (the same as given to startApps) after it stopped or
 * was killed, and waits until it is ready; the new process replaces the old in `running.services`.
 */
export async function restartApp(running: RunningApps, app: AppName, env: Record<string, string>): Promise<ServiceProcess> {
  const previous = running.services.get(app);
  if (previous && previous.child.exitCode === null && previous.child.signalCode === null) throw new Error(`${app} is still running; stop or kill it first`);
  const service = startOnItsPort(running.ports, running.logDirectory, app, env);
  running.services.set(app, service);
  await waitUntilReady(service, readinessPathOf(app));
  return service;
}

export interface TestCommission {
  id: number;
  aui: string;
  /** A Wildfire status word: pending, confirmed, ready, paid, disqualified. */
  status: string;
  amount: string;
  eventDate: string;
  modifiedDate: string;
  /** The merchant's order; `order-<id>` unless given (a purchase and its item-level return share one). */
  merchantOrderId?: string;
}

/** A Wildfire v2 commission callback signed with the fixture key, for tests that need commissions of their own AUIs. */
export function signedWildfireCallback(commission: TestCommission): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    ID: randomUUID(),
    Type: 'Commission',
    Action: 'update',
    Payload: {
      ID: commission.id, ApplicationID: 42, MerchantID: 123456, DeviceID: 19283, SaleAmount: '100', Amount: commission.amount,
      Status: commission.status, TrackingCode: commission.aui, EventDate: commission.eventDate, CreatedDate: commission.modifiedDate,
      ModifiedDate: commission.modifiedDate, MerchantOrderID: commission.merchantOrderId ?? `order-${commission.id}`, MerchantSKU: 'sku-1',
    },
    CreatedDate: commission.modifiedDate,
  });
  const signature = createHmac('sha256', WILDFIRE_FIXTURE_CALLBACK_KEY).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'X-WF-Signature': `sha256=${signature}` } };
}

/** An end-user JWT signed with HS256, as an identity provider sharing QUERY_JWT_SECRET would issue it. */
export function hs256Token(secret: string, claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/**
 * Makes a suite's projector start at the topics' current ends instead of offset zero, by storing
 * those offsets in its projection before it starts (the projector seeks to its stored offsets and
 * skips anything below them). For suites whose assertions depend on order: on a broker shared by
 * many runs, replaying everything would first apply other runs' later versions of the same
 * fixture commissions.
 */
export async function projectFromCurrentEnd(databaseUrl: string, consumerGroup: string): Promise<void> {
  const ends = await readEndOffsets(testKafka('test-project-from-end'), ledgerInputTopics);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const schema = (await client.query(`SELECT schema_name FROM projection_pointer WHERE name = 'ledger'`)).rows[0].schema_name as string;
    for (const [key, end] of ends) {
      const [topic, partition] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      await client.query(`INSERT INTO ${schema}.consumer_offset (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, $4)`, [consumerGroup, topic, partition, end.toString()]);
    }
  } finally {
    await client.end();
  }
}

/** Produces events to a topic as a service would (key = AUI, acks=all), in batches of at most 1,000. */
export async function produceEvents(topic: string, events: { key: string; value: object; headers?: Record<string, string> }[]): Promise<void> {
  const sender = new MessageSender(testKafka('test-producer'));
  await sender.connect();
  try {
    for (let start = 0; start < events.length; start += 1_000) {
      const slice = events.slice(start, start + 1_000);
      await sender.send([{ topic, messages: slice.map((event) => ({ key: event.key, value: JSON.stringify(event.value), headers: event.headers })) }]);
    }
  } finally {
    await sender.disconnect();
  }
}

/** What the rebuild command prints last: the report the tests assert on. */
export interface RebuildCommandReport {
  liveSchema: string;
  rebuiltSchema: string;
  replayedBy: 'bulk load' | 'chunk by chunk';
  differenceCount: number;
  differences: unknown[];
  payoutDifferences: unknown[];
  coverageDifferences: unknown[];
  switched: boolean;
  droppedOld: boolean;
}

const rebuildCommandTimeoutMs = 150_000;

/** Lines of the command's output a failure shows: its last phase logs say where it stopped. */
const rebuildOutputLinesShown = 30;

/** Runs the rebuild command as operators do, from dist/, with `env` over this process's environment. */
export async function runRebuildCommand(env: Record<string, string>, flags: string[]): Promise<RebuildCommandReport> {
  const command = join(workspaceRoot(), 'dist/apps/ledger-projector/src/commands/rebuild-projection.js');
  const running = promisify(execFile)(process.execPath, [command, ...flags], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, maxBuffer: 64 * 1024 * 1024, timeout: rebuildCommandTimeoutMs });
  // Sampled while it runs: a command stopped for its time says whether it was busy (a loop) or waiting (a lock, a promise nobody settles).
  let cpuSeconds: number | null = null;
  const sampler = setInterval(() => (cpuSeconds = cpuSecondsOf(running.child.pid) ?? cpuSeconds), 2_000);
  const { stdout } = await running
    .catch((error: Error & { stdout?: string; stderr?: string; killed?: boolean }) => {
      // Exit 1 with a report means differences: return the report so the assertion shows them.
      if (!error.killed && lastLine(error.stdout ?? '').includes('"differenceCount"')) return { stdout: error.stdout ?? '' };
      const why = error.killed ? `it did not end within ${rebuildCommandTimeoutMs / 1000} s (it had used ${cpuSeconds ?? 'an unknown number of'} s of CPU) and was stopped` : 'it failed';
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').slice(-rebuildOutputLinesShown).join('\n');
      throw new Error(`${error.message}\n${why}; its last output:\n${output}`);
    })
    .finally(() => clearInterval(sampler));
  return JSON.parse(lastLine(stdout)) as RebuildCommandReport;
}

/** User and system CPU seconds of a running process, from /proc (Linux); null where that cannot be read. */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, after the command name in parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return null;
  }
}

/** The kernel's USER_HZ, 100 on Linux everywhere Node runs. */
const clockTicksPerSecond = 100;

const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';
