import { createHash } from 'node:crypto';

export interface ConfiguredApiKey {
  name: string;
  scopes: string[];
  secret: string;
}

/** `name:scope1+scope2:secret,...` (QUERY_API_KEYS, already validated by QueryConfig). Scopes contain a colon themselves. */
export function parseApiKeys(value: string): ConfiguredApiKey[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const parts = entry.split(':');
      return { name: parts[0], scopes: parts.slice(1, -1).join(':').split('+'), secret: parts[parts.length - 1] };
    });
}

/** Keys are long random strings, so SHA-256 is enough: there is no short password to brute-force. */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
