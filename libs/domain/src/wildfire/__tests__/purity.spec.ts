import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const sourceDirectory = join(__dirname, '..');
const sourceFiles = readdirSync(sourceDirectory).filter((name) => name.endsWith('.ts'));

/** What the normaliser may import: contracts, its own folder, the domain's money, time and input rules, hashing, and lossless-json (pure parsing). */
const allowedImports = [/^@earnings\/contracts$/, /^\.\/[a-z-]+$/, /^\.\.\/money\/decimal$/, /^\.\.\/time\/source-timestamp$/, /^\.\.\/input-rules$/, /^node:crypto$/, /^lossless-json$/];

/** Things that would make the output depend on something other than the body and the context. */
const forbiddenUses = [/Date\.now/, /new Date\(/, /process\./, /Math\.random/, /\bfetch\(/, /\brequire\(/];

describe('the Wildfire normaliser is pure', () => {
  it('has source files to check', () => {
    expect(sourceFiles).toEqual(expect.arrayContaining(['wildfire-callback.ts', 'wildfire-commission.ts', 'index.ts']));
  });

  it.each(sourceFiles)('%s imports no I/O module', (file) => {
    const source = readFileSync(join(sourceDirectory, file), 'utf8');
    const imported = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imported.filter((specifier) => !allowedImports.some((allowed) => allowed.test(specifier)))).toEqual([]);
  });

  it.each(sourceFiles)('%s reads no clock, randomness or environment', (file) => {
    const source = readFileSync(join(sourceDirectory, file), 'utf8');
    for (const forbidden of forbiddenUses) expect(source).not.toMatch(forbidden);
  });
});
