import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BenchSizes } from './limits';

/** One figure beside the limit measured in the same run; `ratio` is figure ÷ limit. */
export interface BenchRow {
  step: string;
  figure: string;
  value: number;
  unit: string;
  /** What the limit is (a bare server, pg alone, a read-only consumer); empty when the figure has none. */
  limit: string;
  limitValue: number | null;
  note?: string;
}

export interface BenchReport {
  mode: 'quick' | 'full';
  startedAt: string;
  finishedAt: string | null;
  machine: { cpus: number; node: string; platform: string };
  sizes: BenchSizes;
  profiled: boolean;
  /** The steps run (--only), all of them unless narrowed. */
  steps: string[];
  rows: BenchRow[];
  problems: string[];
  notes: string[];
}

export const ratioOf = (row: BenchRow): number | null => (row.limitValue === null || row.limitValue === 0 ? null : row.value / row.limitValue);

/** Collects rows and rewrites the JSON file after every addition, so an interrupted run keeps what it measured. */
export class ResultBook {
  /** Set by finish(): a step still running when --stop-at ended the run adds nothing after the table was printed. */
  private closed = false;

  constructor(private readonly file: string, readonly report: BenchReport) {
    mkdirSync(dirname(file), { recursive: true });
    this.save();
  }

  add(row: BenchRow): void {
    if (this.closed) return;
    this.report.rows.push(row);
    this.save();
  }

  problem(message: string): void {
    if (this.closed) return;
    this.report.problems.push(message);
    this.save();
  }

  note(message: string): void {
    this.report.notes.push(message);
    this.save();
  }

  finish(): void {
    this.closed = true;
    this.report.finishedAt = new Date().toISOString();
    this.save();
  }

  save(): void {
    const rows = this.report.rows.map((row) => ({ ...row, ratio: ratioOf(row) }));
    writeFileSync(this.file, `${JSON.stringify({ ...this.report, rows }, null, 2)}\n`);
  }
}

const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

/** A plain-text table: step, figure, value, limit, limit value, ratio. */
export function formatTable(rows: BenchRow[]): string {
  const header = ['step', 'figure', 'value', 'limit (same run)', 'limit value', 'ratio'];
  const lines = rows.map((row) => {
    const ratio = ratioOf(row);
    return [
      row.step,
      row.figure,
      `${formatNumber(row.value)} ${row.unit}`,
      row.limit || '-',
      row.limitValue === null ? '-' : `${formatNumber(row.limitValue)} ${row.unit}`,
      ratio === null ? '-' : `${ratio.toFixed(2)}x`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const render = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}
