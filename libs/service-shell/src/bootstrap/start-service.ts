import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load-config';
import { Readiness } from '../health/readiness';
import { createLogger, NestJsonLogger } from '../logging/json-logger';

export interface ServiceOptions {
  name: string;
  port: number;
  host: string;
  /** Largest request body accepted; larger bodies get 413 before any handler runs. */
  bodyLimitBytes?: number;
  /** Hand JSON bodies to handlers as the exact bytes received (for signature checks over raw bytes). */
  keepJsonBodiesRaw?: boolean;
  /** How long a graceful shutdown may take before the process exits with code 1. */
  shutdownTimeoutMs?: number;
}

/**
 * Starts a Nest app on Fastify with the raw body kept (signatures are checked over the exact
 * bytes), JSON logs, and graceful shutdown: on SIGTERM the app reports not-ready, stops
 * accepting requests, lets consumers finish and commit their batch, then closes connections.
 */
export async function startService(module: unknown, options: ServiceOptions, logger: Logger): Promise<INestApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimitBytes ?? 1024 * 1024, logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    // With keepJsonBodiesRaw the app takes over body parsing entirely (below).
    rawBody: !options.keepJsonBodiesRaw,
    bodyParser: !options.keepJsonBodiesRaw,
    logger: new NestJsonLogger(logger),
  });
  if (options.keepJsonBodiesRaw) {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  }
  const readiness = app.get(Readiness);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutDown(app, readiness, signal, options.shutdownTimeoutMs ?? defaultShutdownTimeoutMs, logger));
  }
  await app.listen(options.port, options.host);
  logger.info({ port: options.port, host: options.host }, `${options.name} listening`);
  return app;
}

const defaultShutdownTimeoutMs = 25_000;

/**
 * Reports not-ready at once, then closes the app: HTTP stops accepting, in-flight requests finish,
 * modules' shutdown hooks let consumers finish and commit their batch and close connections.
 * Exit 0 when all of that completed; exit 1 if it overran the deadline (the orchestrator's
 * grace period should be longer than this timeout).
 */
async function shutDown(app: INestApplication, readiness: Readiness, signal: string, timeoutMs: number, logger: Logger): Promise<void> {
  logger.info({ signal, timeoutMs }, 'shutting down: draining, then closing');
  readiness.startDraining();
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs }, 'shutdown overran its deadline; exiting without finishing');
    process.exit(1);
  }, timeoutMs);
  deadline.unref();
  try {
    await app.close();
    logger.info('shut down cleanly');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}

/** Runs a service's main; a bad configuration prints every problem and exits 1. */
export function runMain(service: string, main: (logger: Logger) => Promise<unknown>): void {
  const logger = createLogger(service);
  main(logger).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, 'invalid configuration');
      process.stderr.write(`${service}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'failed to start');
      new NestLogger(service).error(error);
    }
    process.exit(1);
  });
}
