import { FaultRow, recoverySecondsMax, rowPasses } from './scenario';

const seconds = (value: number | null): string => (value === null ? 'never' : value.toFixed(1));

/** The suite's one table, then each scenario's notes (what the figures alone do not say). */
export function printTable(rows: FaultRow[], ratePerSecond: number): void {
  const header = ['scenario', 'events', 'acknowledged', 'found', 'lost', 'doubled', 'recovery s', 'lag back to 0 s', 'result'];
  const cells = rows.map((row) => [
    row.title,
    String(row.events),
    String(row.acknowledged),
    String(row.found),
    String(row.lost),
    String(row.doubled),
    seconds(row.recoverySeconds),
    seconds(row.lagZeroSeconds),
    row.error ? 'ERROR' : rowPasses(row) ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const format = (line: string[]) => `| ${line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  console.log('');
  console.log(`fault suite, ${new Date().toISOString()}, callbacks at ${ratePerSecond}/s; ok = 0 lost, 0 doubled, every service ready within ${recoverySecondsMax} s of the fault's end`);
  console.log(format(header));
  console.log(`|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
  for (const line of cells) console.log(format(line));
  console.log('');
  for (const row of rows) {
    console.log(`${row.scenario}:`);
    if (row.error) console.log(`  ERROR: ${row.error}`);
    for (const note of [...row.notes, ...row.doubledReasons.map((reason) => `doubled ${reason}`)]) console.log(`  - ${note}`);
  }
}
