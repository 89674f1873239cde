// The one file, not '@earnings/service-shell', whose index loads NestJS.
import { closeLogs, createLogger } from '../../../libs/service-shell/src/logging/json-logger';
import { builtPageDirectoryBeside, dashboardOptionsOf } from './dashboard-config';
import { createDashboardServer } from './dashboard-server';

/** Time an in-flight request or a GraphQL subscription gets to finish after SIGTERM (on Kubernetes, after the preStop pause). */
const closeTimeoutMs = 10_000;

/**
 * The dashboard's process: DASHBOARD_PORT (3005), DASHBOARD_QUERY_URL (the query service),
 * DASHBOARD_FRAME_ANCESTORS, DASHBOARD_IMAGE_SOURCES (where store logos load from). The
 * development sign-in needs NODE_ENV=development, DASHBOARD_DEV_SIGN_IN=true and DASHBOARD_DEV_JWT_SECRET (the query service's QUERY_JWT_SECRET);
 * asked for in any other mode, the process refuses to start.
 */
async function main(): Promise<void> {
  const logger = createLogger('dashboard');
  const options = dashboardOptionsOf(process.env, builtPageDirectoryBeside(__dirname));
  const server = await createDashboardServer(options, logger);
  await server.listen({ port: options.port, host: '0.0.0.0' });
  logger.info({ port: options.port, queryUrl: options.queryUrl.toString(), devSignIn: options.devSignInSecret !== null }, 'dashboard listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => void closeLogs(500).finally(() => process.exit(1)), closeTimeoutMs).unref();
    void server.close().then(() => closeLogs(1_000)).finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`dashboard: ${error.message}\n`);
  process.exit(1);
});
