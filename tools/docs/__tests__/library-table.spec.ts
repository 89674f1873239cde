import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';

const root = workspaceRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The first cell of each row of the README's "Libraries and why" table. */
function libraryCells(): string[] {
  const section = readme.slice(readme.indexOf('## Libraries and why'));
  const table = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| library |'));
  return table.map((line) => line.split(' | ')[0]);
}

describe("the README's library table", () => {
  it('names every package in package.json, and no package that is not there', () => {
    const named = new Set(libraryCells().flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1])));
    const installed = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]);
    expect([...installed].filter((name) => !named.has(name)).sort()).toEqual([]);
    expect([...named].filter((name) => !installed.has(name)).sort()).toEqual([]);
  });
});
