/** Development defaults `npm start` and the tests use where a variable is unset. Never production values. */
export const developmentDefaults = {
  INGEST_PORT: '3001',
  PROJECTOR_PORT: '3002',
  PAYOUT_PORT: '3003',
  QUERY_PORT: '3004',
  SIMULATOR_PORT: '3010',
  DASHBOARD_PORT: '3005',
  // The query service verifies user tokens with it, and the dashboard's development sign-in signs them with it.
  QUERY_JWT_SECRET: 'dev-user-token-secret-not-for-production-0123',
  KAFKA_PORT: '9092',
  // The simulator signs with WILDFIRE_CALLBACK_KEY when set, else with the first of these: what ingest verifies.
  WILDFIRE_CALLBACK_KEYS: 'dev-callback-key',
  GRAPHIQL: 'true',
  // The demo's ingest syncs from the simulator's Commission API, as production syncs from Wildfire's.
  WILDFIRE_API_BASE_URL: 'http://127.0.0.1:3010',
  WILDFIRE_APP_ID: 'dev-app-id',
  WILDFIRE_APP_SECRET: 'dev-app-secret',
  WILDFIRE_DEVICE_TOKEN: 'dev-device-token',
  WILDFIRE_SENDER_TOKEN: 'dev-sender-token',
  // npm start pays one sample user through the admin API, as a partner's backend would.
  PAYOUT_ADMIN_TOKEN: 'dev-payout-admin-token-not-for-production',
  LOG_LEVEL: 'info',
} as const;

/** `process.env` wins over the defaults, so `npm start` honours every documented variable. */
export function withDefaults(overrides: Record<string, string> = {}): Record<string, string> {
  const merged: Record<string, string> = { ...developmentDefaults, ...overrides };
  for (const name of Object.keys(merged)) {
    const fromEnvironment = process.env[name];
    if (fromEnvironment !== undefined && fromEnvironment !== '') merged[name] = fromEnvironment;
  }
  if (!process.env.WILDFIRE_API_BASE_URL) merged.WILDFIRE_API_BASE_URL = `http://127.0.0.1:${merged.SIMULATOR_PORT}`;
  return merged;
}
