import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clusterProblem, createKafka, kafkaSecurityFromEnvironment } from '@earnings/kafka';
import pino from 'pino';
import { makeListenerCertificates, planSaslSslListener, SaslSslListener, SaslSslListenerPlan, saslSslListenerProperties } from './sasl-ssl-listener';

/**
 * A real single-node Apache Kafka broker in KRaft mode, run from the jars Maven resolves from
 * Maven Central (deploy/local/kafka/pom.xml). No Docker needed: Java 17 and Maven suffice.
 */
export interface KafkaBrokerOptions {
  workspaceRoot: string;
  port: number;
  /** Data directory; reused across runs when `fresh` is false. */
  dataDirectory: string;
  fresh: boolean;
  heapMb?: number;
  log: (message: string) => void;
  /** Run in a process group of its own, so a Ctrl-C stops it only when the parent says, after the services that use it. */
  ownProcessGroup?: boolean;
  /** Also open a SASL_SSL listener on this port (certificates and a SCRAM user made at start); needs `fresh`. */
  saslSslPort?: number;
}

export interface RunningBroker {
  brokers: string;
  startupMs: number;
  /** The broker JVM's process id, for the benchmarks' memory figures and the fault suite's SIGKILL. */
  pid: number;
  /** The SASL_SSL listener, when one was asked for. */
  saslSsl: SaslSslListener | null;
  stop(): Promise<void>;
}

const startupTimeoutMs = 90_000;
const stopTimeoutMs = 30_000;

/** Copies the broker's jars into .cache/kafka-libs once; a changed pom.xml copies them again. */
export function ensureKafkaJars(workspaceRoot: string, log: (message: string) => void): string {
  const pom = join(workspaceRoot, 'deploy/local/kafka/pom.xml');
  const libraries = join(workspaceRoot, '.cache/kafka-libs');
  const marker = join(libraries, '.pom-sha256');
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pomHash) return libraries;
  log('resolving the Apache Kafka broker jars with Maven (first run only)...');
  rmSync(libraries, { recursive: true, force: true });
  execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libraries}`, '-DincludeScope=runtime'], {
    stdio: 'inherit',
  });
  writeFileSync(marker, pomHash);
  return libraries;
}

export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<RunningBroker> {
  const started = Date.now();
  const libraries = ensureKafkaJars(options.workspaceRoot, options.log);
  const classpath = `${libraries}/*`;
  // SCRAM credentials are written when the storage is formatted: a reused data directory holds another run's password.
  if (options.saslSslPort !== undefined && !options.fresh) throw new Error('a SASL_SSL listener needs a fresh broker (its SCRAM user is created when the storage is formatted)');
  if (options.fresh) rmSync(options.dataDirectory, { recursive: true, force: true });
  mkdirSync(options.dataDirectory, { recursive: true });
  const controllerPort = await freePort();
  const saslSsl = options.saslSslPort === undefined ? null : planSaslSslListener(options.saslSslPort, options.dataDirectory);
  const properties = join(options.dataDirectory, 'server.properties');
  writeFileSync(properties, serverProperties(options.port, controllerPort, join(options.dataDirectory, 'log'), saslSsl));
  writeFileSync(join(options.dataDirectory, 'log4j.properties'), log4jProperties(join(options.dataDirectory, 'broker.log')));
  // Both are JVMs of a few seconds each: side by side.
  await Promise.all([
    existsSync(join(options.dataDirectory, 'log', 'meta.properties'))
      ? Promise.resolve()
      : promisify(execFile)('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId()}`, '-c', properties, '--ignore-formatted', ...(saslSsl?.formatArguments ?? [])]),
    saslSsl ? makeListenerCertificates(saslSsl, options.dataDirectory) : Promise.resolve(),
  ]);
  const broker = spawn(
    'java',
    [`-Xmx${options.heapMb ?? 768}m`, '-XX:+UseG1GC', `-Dlog4j.configuration=file:${join(options.dataDirectory, 'log4j.properties')}`, '-cp', classpath, 'kafka.Kafka', properties],
    { stdio: ['ignore', openSync(join(options.dataDirectory, 'broker.out'), 'a'), openSync(join(options.dataDirectory, 'broker.out'), 'a')], detached: options.ownProcessGroup ?? false },
  );
  const brokers = `127.0.0.1:${options.port}`;
  await waitForMetadata(brokers, broker, options.dataDirectory);
  const startupMs = Date.now() - started;
  const secured = saslSsl ? ` and SASL_SSL at ${saslSsl.listener.brokers}` : '';
  options.log(`kafka broker ready at ${brokers}${secured} in ${startupMs} ms (logs: ${options.dataDirectory}/broker.log)`);
  if (broker.pid === undefined) throw new Error('the broker JVM did not start');
  return { brokers, startupMs, pid: broker.pid, saslSsl: saslSsl?.listener ?? null, stop: () => stopProcess(broker) };
}

function serverProperties(port: number, controllerPort: number, logDirectory: string, saslSsl: SaslSslListenerPlan | null): string {
  const secured = saslSsl ? `,SASL_SSL://${saslSsl.listener.brokers}` : '';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port}${secured},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}${secured}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${saslSsl ? ',SASL_SSL:SASL_SSL' : ''}`,
    'inter.broker.listener.name=PLAINTEXT',
    ...(saslSsl ? saslSslListenerProperties(saslSsl) : []),
    `log.dirs=${logDirectory}`,
    // One node: internal topics cannot be replicated; few partitions keep start-up fast.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=8',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    // Topics are created by the setup step with explicit settings, never by accident.
    'auto.create.topics.enable=false',
    'num.partitions=3',
  ].join('\n');
}

function log4jProperties(file: string): string {
  return [
    'log4j.rootLogger=WARN, file',
    'log4j.logger.kafka.server.KafkaServer=INFO',
    'log4j.logger.kafka.server.BrokerServer=INFO',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${file}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
  ].join('\n');
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (may start with '-', hence --cluster-id=). */
function clusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

async function waitForMetadata(brokers: string, broker: ChildProcess, dataDirectory: string): Promise<void> {
  const deadline = Date.now() + startupTimeoutMs;
  const kafka = createKafka({ clientId: 'local-stack', brokers: [brokers], security: kafkaSecurityFromEnvironment({}) }, pino({ level: 'silent' }));
  while (Date.now() < deadline) {
    if (broker.exitCode !== null) throw new Error(`kafka broker exited with code ${broker.exitCode}; see ${dataDirectory}/broker.out`);
    if ((await clusterProblem(kafka)) === null) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  broker.kill('SIGKILL');
  throw new Error(`kafka broker not ready within ${startupTimeoutMs} ms; see ${dataDirectory}/broker.out`);
}

export function stopProcess(child: ChildProcess, timeoutMs = stopTimeoutMs): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
