import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { workspaceRoot } from '@earnings/testing';
import { buildAsyncApiDocument } from './asyncapi-document';

/** Where the checked-in document lives; the README links it. */
export const asyncApiDocumentPath = (): string => join(workspaceRoot(), 'docs/asyncapi/earnings-ledger.asyncapi.yaml');

export function renderAsyncApiDocument(): string {
  return `# Generated from libs/contracts by \`node dist/tools/asyncapi/generate.js\`; do not edit by hand.\n${stringify(buildAsyncApiDocument(), { lineWidth: 0 })}`;
}

if (require.main === module) {
  writeFileSync(asyncApiDocumentPath(), renderAsyncApiDocument());
  console.log(`wrote ${asyncApiDocumentPath()}`);
}
