// jose ships ES modules only, which this Jest setup does not load; no user tokens are configured here, so it is never called.
jest.mock('jose', () => ({ createRemoteJWKSet: jest.fn(), jwtVerify: jest.fn() }));

import { loadConfig } from '@earnings/service-shell';
import { QueryConfig } from '../../query.config';
import { ApiKeyRepository, StoredApiKey } from '../api-key.repository';
import { Authenticator } from '../authenticator';
import { TokenBuckets } from '@earnings/service-shell';

/** A repository that knows one key and counts its lookups: each lookup is one SQL statement in production. */
class CountingApiKeys {
  lookups = 0;
  async findBySecret(secret: string): Promise<StoredApiKey | null> {
    this.lookups += 1;
    return secret === 'the-right-key' ? { name: 'partner', scopes: ['earnings:read'] } : null;
  }
}

describe('Authenticator: failed authentications per client address', () => {
  const config = loadConfig(QueryConfig, { DATABASE_URL: 'postgres://unused', AUTH_FAILURES_PER_MINUTE_MAX: '3' });
  let apiKeys: CountingApiKeys;
  let sut: Authenticator;

  beforeEach(() => {
    apiKeys = new CountingApiKeys();
    sut = new Authenticator(config, apiKeys as unknown as ApiKeyRepository, new TokenBuckets(600));
  });

  it('stops looking credentials up for an address that sent too many wrong ones', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) expect(await sut.authenticate(`Bearer wrong-${attempt}`, '198.51.100.7')).toMatchObject({ reason: 'invalid-credentials' });
    expect(apiKeys.lookups).toBe(3);
    for (let attempt = 0; attempt < 100; attempt += 1) expect(await sut.authenticate(`Bearer flood-${attempt}`, '198.51.100.7')).toEqual({ kind: 'anonymous', reason: 'too-many-failures' });
    expect(await sut.authenticate('Bearer the-right-key', '198.51.100.7')).toEqual({ kind: 'anonymous', reason: 'too-many-failures' });
    expect(apiKeys.lookups).toBe(3);
  });

  it('still accepts the right key from other addresses', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) await sut.authenticate(`Bearer wrong-${attempt}`, '198.51.100.7');
    expect(await sut.authenticate('Bearer the-right-key', '203.0.113.9')).toMatchObject({ kind: 'partner', keyName: 'partner' });
  });

  it('does not count a request that sent no credentials', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) expect(await sut.authenticate(undefined, '198.51.100.7')).toEqual({ kind: 'anonymous', reason: 'no-credentials' });
    expect(await sut.authenticate('Bearer the-right-key', '198.51.100.7')).toMatchObject({ kind: 'partner' });
  });
});
