import { builtPageDirectoryBeside, dashboardOptionsOf } from './dashboard-config';
import { createDashboardServer } from './dashboard-server';

/**
 * The dashboard's process: DASHBOARD_PORT (3005), DASHBOARD_QUERY_URL (the query service),
 * DASHBOARD_FRAME_ANCESTORS. The development sign-in needs NODE_ENV=development,
 * DASHBOARD_DEV_SIGN_IN=true and DASHBOARD_DEV_JWT_SECRET (the query service's QUERY_JWT_SECRET);
 * asked for in any other mode, the process refuses to start.
 */
function main(): void {
  const options = dashboardOptionsOf(process.env, builtPageDirectoryBeside(__dirname));
  const server = createDashboardServer(options);
  server.listen(options.port, '0.0.0.0', () => {
    console.log(JSON.stringify({ level: 'info', msg: 'dashboard listening', port: options.port, queryUrl: options.queryUrl.toString(), devSignIn: options.devSignInSecret !== null }));
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
