import { join } from 'node:path';
import { createDashboardServer } from './dashboard-server';

/**
 * The dashboard's process: DASHBOARD_PORT (3005), DASHBOARD_QUERY_URL (the query service),
 * DASHBOARD_FRAME_ANCESTORS. The development sign-in needs NODE_ENV=development,
 * DASHBOARD_DEV_SIGN_IN=true and DASHBOARD_DEV_JWT_SECRET (the query service's QUERY_JWT_SECRET);
 * asked for in any other mode, the process refuses to start.
 */
function main(): void {
  const port = Number(process.env.DASHBOARD_PORT ?? 3005);
  const queryUrl = new URL(process.env.DASHBOARD_QUERY_URL ?? 'http://127.0.0.1:3004');
  const devSignInAsked = process.env.DASHBOARD_DEV_SIGN_IN === 'true';
  const secret = process.env.DASHBOARD_DEV_JWT_SECRET ?? '';
  if (devSignInAsked && process.env.NODE_ENV !== 'development') {
    throw new Error('DASHBOARD_DEV_SIGN_IN=true is refused unless NODE_ENV=development: it signs anyone in as any user');
  }
  if (devSignInAsked && secret.length < 32) throw new Error('DASHBOARD_DEV_SIGN_IN=true needs DASHBOARD_DEV_JWT_SECRET, the query service\'s QUERY_JWT_SECRET (32+ characters)');
  const server = createDashboardServer({
    staticDirectory: process.env.DASHBOARD_STATIC_DIR ?? join(__dirname, '..', 'web'),
    queryUrl,
    devSignInSecret: devSignInAsked ? secret : null,
    devUsers: (process.env.DASHBOARD_DEV_USERS ?? '').split(',').map((user) => user.trim()).filter((user) => user !== ''),
    frameAncestors: process.env.DASHBOARD_FRAME_ANCESTORS ?? "'self'",
  });
  server.listen(port, '0.0.0.0', () => {
    console.log(JSON.stringify({ level: 'info', msg: 'dashboard listening', port, queryUrl: queryUrl.toString(), devSignIn: devSignInAsked }));
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
