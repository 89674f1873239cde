import { createSecretKey } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { Client } from 'pg';
import { localServerUrl } from '../local-stack/database';

/**
 * The query service's per-request authentication, measured in isolation (the CPU profile of the
 * full benchmark showed it costing about as much as the balance lookup):
 *   JWT: jose verifying HS256 with the secret as raw bytes (imported on every call) vs a KeyObject made once;
 *   API key: one SQL round trip per request vs the 30 s cache (a Map lookup).
 *   node dist/tools/bench/auth-path.js
 */
const verificationsPerRun = 20_000;
const lookupsPerRun = 5_000;

async function perSecond(count: number, work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index += 1) await work();
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const secret = 'a-query-jwt-secret-of-at-least-32-characters';
  const token = await new SignJWT({ sub: 'aui-1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
  const rawKey = new TextEncoder().encode(secret);
  const keyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  const rawBytes = await perSecond(verificationsPerRun, () => jwtVerify(token, rawKey));
  const onceMade = await perSecond(verificationsPerRun, () => jwtVerify(token, keyObject));

  const client = new Client({ connectionString: process.env.DATABASE_URL ?? localServerUrl });
  await client.connect();
  const cache = new Map([['hash', { name: 'bench', scopes: ['earnings:read'] }]]);
  const sqlLookups = await perSecond(lookupsPerRun, () => client.query('SELECT $1::text AS name', ['hash']));
  const cachedLookups = await perSecond(lookupsPerRun, async () => cache.get('hash'));
  await client.end();

  console.log(`JWT HS256 verifications/s: raw-byte key ${rawBytes.toFixed(0)}, KeyObject made once ${onceMade.toFixed(0)} (x${(onceMade / rawBytes).toFixed(2)})`);
  console.log(`API key lookups/s: SQL round trip ${sqlLookups.toFixed(0)}, cached ${cachedLookups.toFixed(0)}`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
