import type { Wfav1Credentials } from '@earnings/sources';

export interface SimulatorOptions {
  seed: string;
  /** AUIs are this prefix plus a 4-digit number. */
  auiPrefix: string;
  users: number;
  commissions: number;
  /** One Wildfire application per currency. */
  currencies: string[];
  credentials: Wfav1Credentials;
  callbackKey: string;
  /** Where callbacks go when a send names no URL; when set, advancing the clock also pushes the newly visible versions there. */
  callbackUrl: string | null;
  dropFraction: number;
  /** Wildfire allows one Commission API call per 5 s. */
  apiIntervalMsMin: number;
  /** How far X-WF-DateTime may be from the simulator's wall clock. */
  authSkewMsMax: number;
  /** How long an injected timeout holds a call before dropping the connection (or until the client gives up). */
  faultHangMs: number;
  callbackTimeoutMs: number;
  /** Where the simulator clock starts (ms since the epoch); null: when the simulator starts, so its history is recent. */
  startAtMs: number | null;
}

/** Development values only: the simulator is never deployed with real credentials. */
export const defaultSimulatorOptions: SimulatorOptions = {
  seed: 'earnings-ledger',
  auiPrefix: 'sim-user-',
  users: 50,
  commissions: 300,
  currencies: ['USD', 'EUR', 'GBP'],
  credentials: { appId: 'dev-app-id', appSecret: 'dev-app-secret', deviceToken: 'dev-device-token', senderToken: 'dev-sender-token' },
  callbackKey: 'dev-callback-key',
  callbackUrl: null,
  dropFraction: 0,
  apiIntervalMsMin: 5_000,
  authSkewMsMax: 5 * 60_000,
  faultHangMs: 60_000,
  callbackTimeoutMs: 10_000,
  startAtMs: null,
};

export interface SimulatorEnvironment {
  port: number;
  host: string;
  logLevel: string;
  options: SimulatorOptions;
}

type Environment = Record<string, string | undefined>;

/** Reads the documented variables; anything unset or empty keeps its development default. Throws on a bad value. */
export function simulatorEnvironment(env: Environment): SimulatorEnvironment {
  const defaults = defaultSimulatorOptions;
  const text = (name: string, fallback: string) => (env[name] === undefined || env[name] === '' ? fallback : (env[name] as string));
  const options: SimulatorOptions = {
    seed: text('SIMULATOR_SEED', defaults.seed),
    auiPrefix: text('SIMULATOR_AUI_PREFIX', defaults.auiPrefix),
    users: integer(env, 'SIMULATOR_USERS', defaults.users),
    commissions: integer(env, 'SIMULATOR_COMMISSIONS', defaults.commissions),
    currencies: text('SIMULATOR_CURRENCIES', defaults.currencies.join(',')).split(',').map((code) => code.trim().toUpperCase()).filter((code) => code !== ''),
    credentials: {
      appId: text('WILDFIRE_APP_ID', defaults.credentials.appId),
      appSecret: text('WILDFIRE_APP_SECRET', defaults.credentials.appSecret),
      deviceToken: text('WILDFIRE_DEVICE_TOKEN', defaults.credentials.deviceToken),
      senderToken: text('WILDFIRE_SENDER_TOKEN', defaults.credentials.senderToken),
    },
    // Ingest's variable as the fallback: a stack started with one set of variables signs what it verifies.
    callbackKey: text('WILDFIRE_CALLBACK_KEY', firstListed(env.WILDFIRE_CALLBACK_KEYS) ?? defaults.callbackKey),
    callbackUrl: text('SIMULATOR_CALLBACK_URL', '') || null,
    dropFraction: fraction(env, 'SIMULATOR_DROP_FRACTION', defaults.dropFraction),
    apiIntervalMsMin: integer(env, 'SIMULATOR_API_INTERVAL_MS_MIN', defaults.apiIntervalMsMin),
    authSkewMsMax: defaults.authSkewMsMax,
    faultHangMs: integer(env, 'SIMULATOR_FAULT_HANG_MS', defaults.faultHangMs),
    callbackTimeoutMs: defaults.callbackTimeoutMs,
    startAtMs: instant(env, 'SIMULATOR_START_AT'),
  };
  return {
    port: integer(env, 'SIMULATOR_PORT', 3010),
    host: text('SIMULATOR_HOST', '127.0.0.1'),
    logLevel: text('LOG_LEVEL', 'info'),
    options: checkedOptions(options),
  };
}

/** Fills defaults and refuses options that would make the simulator lie about Wildfire. */
export function checkedOptions(partial: Partial<SimulatorOptions>): SimulatorOptions {
  const options = { ...defaultSimulatorOptions, ...partial, credentials: { ...defaultSimulatorOptions.credentials, ...partial.credentials } };
  if (options.credentials.appId === '' || options.credentials.appSecret === '') throw new RangeError('WILDFIRE_APP_ID and WILDFIRE_APP_SECRET must not be empty');
  if (options.callbackKey === '') throw new RangeError('WILDFIRE_CALLBACK_KEY must not be empty');
  if (!(options.dropFraction >= 0 && options.dropFraction <= 1)) throw new RangeError('SIMULATOR_DROP_FRACTION must be between 0 and 1');
  for (const [name, value] of Object.entries({ apiIntervalMsMin: options.apiIntervalMsMin, authSkewMsMax: options.authSkewMsMax, faultHangMs: options.faultHangMs, callbackTimeoutMs: options.callbackTimeoutMs })) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  // The URL constructor throws on a malformed URL: better at start than at the first callback.
  if (options.callbackUrl !== null) new URL(options.callbackUrl);
  return options;
}

function integer(env: Environment, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim())) throw new RangeError(`${name} must be a non-negative integer, got "${value}"`);
  return Number(value.trim());
}

/** An ISO-8601 time as ms since the epoch; unset: null. */
function instant(env: Environment, name: string): number | null {
  const value = env[name];
  if (value === undefined || value === '') return null;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw new RangeError(`${name} must be an ISO-8601 time such as 2024-06-01T00:00:00Z, got "${value}"`);
  return ms;
}

function fraction(env: Environment, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(value.trim())) throw new RangeError(`${name} must be a number from 0 to 1, got "${value}"`);
  return Number(value.trim());
}

/** The first entry of a comma-separated list such as WILDFIRE_CALLBACK_KEYS (the current key comes first); undefined when empty. */
function firstListed(value: string | undefined): string | undefined {
  return (value ?? '').split(',').map((item) => item.trim()).find((item) => item.length > 0);
}
