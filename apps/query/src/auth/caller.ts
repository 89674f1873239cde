/** Who is asking, decided once per request (or per subscription connection) from the Authorization header. */
export type Caller =
  /** too-many-failures: the client address sent too many wrong credentials lately, so these were not even checked. */
  | { kind: 'anonymous'; reason: 'no-credentials' | 'invalid-credentials' | 'too-many-failures' }
  | { kind: 'partner'; keyName: string; scopes: readonly string[]; rateLimited: boolean }
  /** expiresAtMs: the token's `exp`, which ends a subscription opened with it; null when the token has none. */
  | { kind: 'user'; subject: string; expiresAtMs: number | null; rateLimited: boolean };

/** What a partner key needs to read any user's earnings, transactions and payouts. */
export const earningsReadScope = 'earnings:read';
