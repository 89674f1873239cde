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
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const readiness = app.get(Readiness);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down: draining, then closing');
      readiness.startDraining();
    });
  }
  await app.listen(options.port, options.host);
  logger.info({ port: options.port, host: options.host }, `${options.name} listening`);
  return app;
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
