import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The partner-documentation fixtures live beside the repository in `../shared/fixtures`
 * (override with SHARED_FIXTURES_DIR). Bodies are returned as the exact bytes, since
 * signatures are computed over them.
 */
export function fixturesDir(): string {
  return process.env.SHARED_FIXTURES_DIR ?? join(workspaceRoot(), '..', 'shared', 'fixtures');
}

/** The repository root (the folder holding nx.json), from source or from dist/. */
export function workspaceRoot(): string {
  let directory = __dirname;
  while (!existsSync(join(directory, 'nx.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no nx.json above ${__dirname}`);
    directory = parent;
  }
  return resolve(directory);
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
