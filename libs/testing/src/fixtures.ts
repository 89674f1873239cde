import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The partner-documentation fixtures live beside the repository in `../shared/fixtures`
 * (override with SHARED_FIXTURES_DIR). Bodies are returned as the exact bytes, since
 * signatures are computed over them.
 */
export function fixturesDir(): string {
  return process.env.SHARED_FIXTURES_DIR ?? resolve(__dirname, '../../../../shared/fixtures');
}

export interface SignedFixture {
  name: string;
  body: Buffer;
  signatureHeader: string;
  signature: string;
}

interface SignatureIndex {
  header: string;
  fixtures: Record<string, { file: string; signature: string }>;
}

function loadSigned(partner: 'wildfire' | 'firstpromoter', name: string): SignedFixture {
  const index = JSON.parse(readFileSync(join(fixturesDir(), partner, 'signatures.json'), 'utf8')) as SignatureIndex;
  const entry = index.fixtures[name];
  if (!entry) throw new Error(`no ${partner} fixture named ${name}`);
  return { name, body: readFileSync(join(fixturesDir(), entry.file)), signatureHeader: index.header, signature: entry.signature };
}

export const wildfireFixture = (name: string): SignedFixture => loadSigned('wildfire', name);
export const firstPromoterFixture = (name: string): SignedFixture => loadSigned('firstpromoter', name);

export const WILDFIRE_FIXTURE_CALLBACK_KEY = 'fixture-callback-key';
export const FIRSTPROMOTER_FIXTURE_WEBHOOK_SECRET = 'fixture-webhook-secret';
