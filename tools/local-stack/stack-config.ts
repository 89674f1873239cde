/** Development defaults `npm start` and the tests use where a variable is unset. Never production values. */
export const developmentDefaults = {
  INGEST_PORT: '3001',
  PROJECTOR_PORT: '3002',
  PAYOUT_PORT: '3003',
  QUERY_PORT: '3004',
  SIMULATOR_PORT: '3010',
  KAFKA_PORT: '9092',
  WILDFIRE_CALLBACK_KEYS: 'dev-callback-key',
  WILDFIRE_CALLBACK_KEY: 'dev-callback-key',
  GRAPHIQL: 'true',
  LOG_LEVEL: 'info',
} as const;

/** `process.env` wins over the defaults, so `npm start` honours every documented variable. */
export function withDefaults(overrides: Record<string, string> = {}): Record<string, string> {
  const merged: Record<string, string> = { ...developmentDefaults, ...overrides };
  for (const name of Object.keys(merged)) {
    const fromEnvironment = process.env[name];
    if (fromEnvironment !== undefined && fromEnvironment !== '') merged[name] = fromEnvironment;
  }
  return merged;
}
