import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';

interface Clone {
  lines: number;
  firstFile: { name: string; start: number; end: number };
  secondFile: { name: string; start: number; end: number };
}

/**
 * No copy-pasted code in apps/ and libs/: jscpd (pinned, configured in .jscpd.json: clones of six
 * or more lines, tests left out) finds none. A clone is removed by extracting what both copies
 * share, never by ignoring a file.
 */
describe('copy-paste check', () => {
  it('finds no clone of six or more lines in apps/ and libs/ outside tests', () => {
    const root = workspaceRoot();
    const jscpd = join(dirname(require.resolve('jscpd/package.json')), 'run-jscpd.js');
    const output = mkdtempSync(join(tmpdir(), 'jscpd-'));
    try {
      const run = spawnSync(process.execPath, [jscpd, '-c', '.jscpd.json', '--reporters', 'json', '--output', output, '--silent'], { cwd: root, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`jscpd exited ${run.status}: ${run.stderr}`);
      const report = JSON.parse(readFileSync(join(output, 'jscpd-report.json'), 'utf8')) as { duplicates: Clone[]; statistics: { total: { sources: number } } };
      expect(report.statistics.total.sources).toBeGreaterThan(100);
      const clones = report.duplicates.map((clone) => `${clone.lines} lines: ${clone.firstFile.name}:${clone.firstFile.start}-${clone.firstFile.end} = ${clone.secondFile.name}:${clone.secondFile.start}-${clone.secondFile.end}`);
      expect(clones).toEqual([]);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
