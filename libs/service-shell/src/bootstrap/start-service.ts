import { Worker } from 'node:worker_threads';
import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load-config';
import { ServiceConfig } from '../config/service-config';
import { Readiness } from '../health/readiness';
import { HttpErrorFilter } from '../http/http-error.filter';
import { httpServerOptions } from '../http/http-server-options';
import { recordHttpSignals } from '../http/http-signals';
import { closeLogs, createLogger, NestJsonLogger } from '../logging/json-logger';
import { Metrics } from '../metrics/metrics';

export interface ServiceOptions {
  name: string;
  port: number;
  /** The service's validated configuration: HOST, the HTTP limits, TRUSTED_PROXY, SHUTDOWN_DRAIN_MS, SHUTDOWN_TIMEOUT_MS. */
  config: ServiceConfig;
  /** Largest request body accepted; larger bodies get 413 before any handler runs. */
  bodyLimitBytes?: number;
  /** Hand JSON bodies to handlers as the exact bytes received (for signature checks over raw bytes). */
  keepJsonBodiesRaw?: boolean;
  /**
   * The app maps every error itself (an APP_FILTER answering the documented shape). Otherwise the
   * shell's HttpErrorFilter does; both cannot, as the filter registered last would win.
   */
  mapsOwnErrors?: boolean;
}

const defaultBodyLimitBytes = 1024 * 1024;

/**
 * Starts a Nest app on Fastify with the HTTP limits of the shared configuration, every HTTP
 * error in the documented `{ "error": { "code", "message" } }` shape, JSON logs, and graceful
 * shutdown: on SIGTERM or SIGINT the app reports not-ready, stops accepting requests, lets
 * consumers finish and commit their batch, then closes connections.
 */
export async function startService(module: unknown, options: ServiceOptions, logger: Logger): Promise<INestApplication> {
  const adapter = new FastifyAdapter(httpServerOptions(options.config, options.bodyLimitBytes ?? defaultBodyLimitBytes) as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    // With keepJsonBodiesRaw the app takes over body parsing entirely (below).
    rawBody: !options.keepJsonBodiesRaw,
    bodyParser: !options.keepJsonBodiesRaw,
    logger: new NestJsonLogger(logger),
  });
  const fastify = app.getHttpAdapter().getInstance();
  // No service takes text/plain: without this, Fastify handed such bodies to handlers as strings instead of answering 415.
  fastify.removeContentTypeParser('text/plain');
  if (options.keepJsonBodiesRaw) {
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  }
  if (!options.mapsOwnErrors) app.useGlobalFilters(new HttpErrorFilter());
  // Nest's Fastify adapter carries its own copy of Fastify's types: the same instance, typed twice.
  recordHttpSignals(fastify as unknown as FastifyInstance, { registry: app.get(Metrics).registry, logger });
  const readiness = app.get(Readiness);
  // While draining, every answer tells keep-alive clients (proxies, load balancers) to reconnect, which takes them to another replica.
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (readiness.isDraining) void reply.header('connection', 'close');
    done();
  });
  stopOnSignals(app, { drainMs: options.config.SHUTDOWN_DRAIN_MS, timeoutMs: options.config.SHUTDOWN_TIMEOUT_MS }, logger);
  await app.listen(options.port, options.config.HOST);
  logger.info({ port: options.port, host: options.config.HOST }, `${options.name} listening`);
  return app;
}

/**
 * One graceful shutdown per process, whoever sends the signals and however often: a supervisor
 * and a terminal may both signal the same process, and a second signal must not cut the drain
 * short (with process.once, the second SIGTERM killed the process mid-drain with 143).
 */
function stopOnSignals(app: INestApplication, limits: ShutdownLimits, logger: Logger): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.info({ signal }, 'already shutting down; signal ignored');
        return;
      }
      stopping = true;
      void shutDown(app, app.get(Readiness), signal, limits, logger);
    });
  }
}

/** Time kept from the deadline to write the last log lines before exiting. */
const logCloseMsMax = 1_000;

interface ShutdownLimits {
  /** SHUTDOWN_DRAIN_MS: how long to keep serving, not ready, before closing. */
  drainMs: number;
  /** SHUTDOWN_TIMEOUT_MS: how long the closing may take after that. */
  timeoutMs: number;
}

/**
 * Reports not-ready at once and keeps serving for the drain period (load balancers take a moment
 * to stop sending requests: a callback refused meanwhile is lost, Wildfire never retries one),
 * then closes the app: HTTP stops accepting, in-flight requests finish, modules' shutdown hooks
 * let consumers finish and commit their batch and close connections. Exit 0 when all of that
 * completed; exit 1 if the closing overran its deadline (the orchestrator's grace period should
 * be longer than drain plus timeout). Logs are written asynchronously, so a log reader that is
 * slow or gone cannot stop the deadline from firing.
 */
async function shutDown(app: INestApplication, readiness: Readiness, signal: string, { drainMs, timeoutMs }: ShutdownLimits, logger: Logger): Promise<void> {
  logger.info({ signal, drainMs, timeoutMs }, 'shutting down: draining, then closing');
  readiness.startDraining();
  armWatchdog(drainMs + timeoutMs + logCloseMsMax * 2);
  if (drainMs > 0) {
    logger.info({ drainMs }, 'not ready, still serving while load balancers stop sending requests here');
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    logger.info('closing: in-flight requests finish, consumers commit their batch');
  }
  const closeLogsMs = Math.min(logCloseMsMax, Math.floor(timeoutMs / 10));
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs }, 'shutdown overran its deadline; exiting without finishing');
    void closeLogs(closeLogsMs).finally(() => process.exit(1));
  }, timeoutMs - closeLogsMs);
  deadline.unref();
  let exitCode = 0;
  try {
    await app.close();
    logger.info('shut down cleanly');
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    exitCode = 1;
  }
  await closeLogs(closeLogsMs);
  process.exit(exitCode);
}

/**
 * The deadline above is a timer on the main thread; should that thread ever be stuck in a
 * synchronous call that never returns, this thread ends the process anyway (SIGKILL).
 */
function armWatchdog(afterMs: number): void {
  const watchdog = new Worker(`setTimeout(() => process.kill(${process.pid}, 'SIGKILL'), ${afterMs});`, { eval: true });
  watchdog.unref();
}

/** Runs a service's main; a bad configuration prints every problem and exits 1. */
export function runMain(service: string, main: (logger: Logger) => Promise<unknown>): void {
  const logger = createLogger(service);
  main(logger).catch(async (error: unknown) => {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, 'invalid configuration');
      process.stderr.write(`${service}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'failed to start');
      new NestLogger(service).error(error);
    }
    await closeLogs(logCloseMsMax);
    process.exit(1);
  });
}
