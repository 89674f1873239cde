import { DataSource } from 'typeorm';
import { ConfiguredApiKey, hashApiKeySecret } from './api-key';

export interface StoredApiKey {
  name: string;
  scopes: string[];
}

const apiKeyCacheTtlMs = 30_000;
const apiKeyCacheEntriesMax = 10_000;

/** The query_api_key table: names, scopes and SHA-256 of secrets; the plaintext never reaches it. */
export class ApiKeyRepository {
  private readonly cache = new Map<string, { key: StoredApiKey; expiresAtMs: number }>();

  constructor(private readonly dataSource: DataSource) {}

  /** Stores the configured keys; a key configured again with a new secret or scopes replaces the old row. */
  async bootstrap(keys: ConfiguredApiKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO query_api_key (name, secret_sha256, scopes)
         SELECT name, secret_sha256, string_to_array(scopes, '+')
           FROM unnest($1::text[], $2::text[], $3::text[]) AS configured(name, secret_sha256, scopes)
       ON CONFLICT (name) DO UPDATE SET secret_sha256 = EXCLUDED.secret_sha256, scopes = EXCLUDED.scopes, updated_at = now()`,
      [keys.map((key) => key.name), keys.map((key) => hashApiKeySecret(key.secret)), keys.map((key) => key.scopes.join('+'))],
    );
  }

  /**
   * Keys change only when the service restarts with a new QUERY_API_KEYS, so a lookup is cached
   * briefly: without it every GraphQL request paid one more SQL round trip. Unknown secrets are
   * not cached, so a guessing client cannot fill the cache.
   */
  async findBySecret(secret: string): Promise<StoredApiKey | null> {
    const hash = hashApiKeySecret(secret);
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAtMs > Date.now()) return cached.key;
    const rows: StoredApiKey[] = await this.dataSource.query('SELECT name, scopes FROM query_api_key WHERE secret_sha256 = $1', [hash]);
    const key = rows[0] ?? null;
    if (key !== null) {
      if (this.cache.size >= apiKeyCacheEntriesMax) this.cache.clear();
      this.cache.set(hash, { key, expiresAtMs: Date.now() + apiKeyCacheTtlMs });
    }
    return key;
  }
}
