import { StatementLine } from './graphql/types';

/** The statement as CSV (RFC 4180): amounts as the exact decimals the API sends, never reformatted. */
export function statementCsv(lines: readonly StatementLine[], unit: string): string {
  const field = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const rows = lines.map((line) => [line.at, line.kind, line.description, line.amount, line.balance, unit, line.commissionId ?? line.payoutId ?? ''].map(field).join(','));
  return ['at,kind,description,amount,balance,unit,reference', ...rows].join('\n') + '\n';
}
