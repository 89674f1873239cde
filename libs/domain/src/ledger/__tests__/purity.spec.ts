import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const sourceDirectory = join(__dirname, '..');
const sourceFiles = readdirSync(sourceDirectory).filter((name) => name.endsWith('.ts'));

/** What the ledger may import: contracts, its own folder, and the domain's money and time. */
const allowedImports = [/^@earnings\/contracts$/, /^\.\/[a-z-]+$/, /^\.\.\/money\/decimal$/, /^\.\.\/time\/source-timestamp$/];

/** Things that would make balances depend on something other than the events. */
const forbiddenUses = [/Date\.now/, /new Date\(/, /process\./, /Math\.random/, /\bfetch\(/, /\brequire\(/, /\bparseFloat\(/, /\bNumber\(/];

describe('the ledger is pure', () => {
  it('has source files to check', () => {
    expect(sourceFiles).toEqual(expect.arrayContaining(['ledger-payout.ts', 'payout-coverage.ts', 'index.ts']));
  });

  it.each(sourceFiles)('%s imports no I/O module', (file) => {
    const source = readFileSync(join(sourceDirectory, file), 'utf8');
    const imported = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imported.filter((specifier) => !allowedImports.some((allowed) => allowed.test(specifier)))).toEqual([]);
  });

  it.each(sourceFiles)('%s reads no clock, randomness or environment, and keeps money out of JS numbers', (file) => {
    const source = readFileSync(join(sourceDirectory, file), 'utf8');
    for (const forbidden of forbiddenUses) expect(source).not.toMatch(forbidden);
  });
});
