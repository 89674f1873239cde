import { validateSync, ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Reads a config class from environment variables and validates it, so a service refuses to
 * start with a message naming every bad variable instead of failing later at 3 a.m.
 * Property names are the variable names; initialisers are the defaults.
 */
export function loadConfig<T extends object>(configClass: new () => T, environment: NodeJS.ProcessEnv = process.env): T {
  const config = new configClass();
  const provided: Record<string, unknown> = {};
  for (const [name, defaultValue] of Object.entries(config)) {
    const value = environment[name];
    if (value === undefined || value === '') continue;
    provided[name] = value;
    (config as Record<string, unknown>)[name] = coerce(value, defaultValue);
  }
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(errors.map((error) => describe(error, provided)));
  return config;
}

/** Environment values are strings; the default's type says what the setting is. */
function coerce(value: string, defaultValue: unknown): unknown {
  if (typeof defaultValue === 'number') return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof defaultValue === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

function describe(error: ValidationError, provided: Record<string, unknown>): string {
  const rules = Object.values(error.constraints ?? {}).join('; ');
  // Show the value only when it came from the environment and is not a secret.
  const secret = /KEY|SECRET|TOKEN|PASSWORD|URL/i.test(error.property);
  const shown = error.property in provided && !secret ? ` (got ${JSON.stringify(provided[error.property])})` : '';
  return `${error.property}: ${rules}${shown}`;
}

/** "a,b, c" -> ["a","b","c"]: list variables such as WILDFIRE_CALLBACK_KEYS. */
export function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}
