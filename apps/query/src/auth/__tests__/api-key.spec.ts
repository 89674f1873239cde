import { loadConfig } from '@earnings/service-shell';
import { QueryConfig } from '../../query.config';
import { hashApiKeySecret, parseApiKeys } from '../api-key';

describe('QUERY_API_KEYS', () => {
  it('parses names, scopes (which contain a colon) and secrets', () => {
    expect(parseApiKeys('dev:earnings:read:dev-api-key, ops:earnings:read+payouts:write:s3cret-long')).toEqual([
      { name: 'dev', scopes: ['earnings:read'], secret: 'dev-api-key' },
      { name: 'ops', scopes: ['earnings:read', 'payouts:write'], secret: 's3cret-long' },
    ]);
    expect(parseApiKeys('')).toEqual([]);
  });

  it('is validated at start with a message that never shows the secret', () => {
    expect(() => loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x', QUERY_API_KEYS: 'dev:earnings:read:short' })).toThrow(/QUERY_API_KEYS: must be name:scope\+scope:secret/);
    expect(() => loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x', QUERY_API_KEYS: 'dev:earnings:read:short' })).not.toThrow(/short/);
    expect(loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x', QUERY_API_KEYS: 'dev:earnings:read:dev-api-key' }).QUERY_API_KEYS).toBe('dev:earnings:read:dev-api-key');
  });

  it('stores a SHA-256 of the secret, never the secret', () => {
    expect(hashApiKeySecret('dev-api-key')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKeySecret('dev-api-key')).not.toContain('dev-api-key');
  });

  it('refuses a short HS256 secret', () => {
    expect(() => loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x', QUERY_JWT_SECRET: 'too-short' })).toThrow(/QUERY_JWT_SECRET: must be at least 32 characters/);
  });
});

describe('QUERY_INTROSPECTION', () => {
  const original = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = original;
  });

  it('defaults to off in production and on elsewhere; set explicitly, it wins', () => {
    process.env.NODE_ENV = 'production';
    expect(loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x' }).QUERY_INTROSPECTION).toBe(false);
    expect(loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x', QUERY_INTROSPECTION: 'true' }).QUERY_INTROSPECTION).toBe(true);
    process.env.NODE_ENV = 'development';
    expect(loadConfig(QueryConfig, { DATABASE_URL: 'postgres://x' }).QUERY_INTROSPECTION).toBe(true);
  });
});
