import { useCallback, useEffect, useState } from 'react';
import { formatDateTime } from '../dates';
import { QueryClient, QueryFailure } from '../graphql/client';
import { statementQuery } from '../graphql/queries';
import { Statement, StatementLine } from '../graphql/types';
import { Amount } from './amount';

export const statementPageSize = 20;
/** Lines a CSV holds at most: reading more would keep the page busy for long; the API serves any range by `from`/`to`. */
const csvLinesMax = 5_000;

/**
 * The running statement of the available balance: every change with the balance after it, newest
 * last, read a page at a time; the whole statement as CSV for the user's records.
 */
export function StatementPanel({ client, aui, unit, refreshedAt }: { client: QueryClient; aui: string; unit: string; refreshedAt: number }) {
  const [lines, setLines] = useState<StatementLine[]>([]);
  const [statement, setStatement] = useState<Omit<Statement, 'lines'> | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [failure, setFailure] = useState<QueryFailure | null>(null);
  const [loading, setLoading] = useState(true);

  const read = useCallback(async (after: string | null) => {
    setLoading(true);
    try {
      const page = await readPage(client, aui, unit, after, statementPageSize);
      setStatement({ opening: page.opening, closing: page.closing });
      setLines((previous) => (after ? [...previous, ...page.lines.edges.map((edge) => edge.node)] : page.lines.edges.map((edge) => edge.node)));
      setNext(page.lines.pageInfo.hasNextPage ? page.lines.pageInfo.endCursor : null);
      setFailure(null);
    } catch (error) {
      setFailure(error instanceof QueryFailure ? error : new QueryFailure('unavailable', String(error)));
    } finally {
      setLoading(false);
    }
  }, [client, aui, unit]);

  useEffect(() => {
    void read(null);
  }, [read, refreshedAt]);

  const download = async () => {
    const all: StatementLine[] = [];
    let after: string | null = null;
    do {
      const page: Statement = await readPage(client, aui, unit, after, 100);
      all.push(...page.lines.edges.map((edge) => edge.node));
      after = page.lines.pageInfo.hasNextPage ? page.lines.pageInfo.endCursor : null;
    } while (after !== null && all.length < csvLinesMax);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([statementCsv(all, unit)], { type: 'text/csv' }));
    link.download = `statement-${unit}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <section className="panel panel-wide" aria-labelledby="statement-title">
      <div className="panel-head">
        <h2 id="statement-title">Statement</h2>
        <button type="button" className="button button-ghost" onClick={() => void download()} disabled={lines.length === 0}>Download CSV</button>
      </div>
      {failure && <p role="alert" className="notice notice-warning">We couldn't read your statement. <button type="button" className="link" onClick={() => void read(null)}>Try again</button></p>}
      {statement && lines.length === 0 && !loading && <p className="muted">Nothing has changed your available balance yet.</p>}
      {lines.length > 0 && (
        <table className="statement">
          <thead>
            <tr><th scope="col">When</th><th scope="col">What</th><th scope="col" className="number">Amount</th><th scope="col" className="number">Balance</th></tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={`${line.at}-${line.kind}-${line.commissionId ?? line.payoutId}`} data-kind={line.kind}>
                <td>{formatDateTime(line.at)}</td>
                <td>{line.description}</td>
                <td className="number"><Amount value={line.amount} unit={unit} /></td>
                <td className="number"><Amount value={line.balance} unit={unit} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {statement && !next && lines.length > 0 && <p className="muted">Available now: <Amount value={statement.closing} unit={unit} /></p>}
      {next && <button type="button" className="button" onClick={() => void read(next)} disabled={loading}>Show more</button>}
    </section>
  );
}

async function readPage(client: QueryClient, aui: string, unit: string, after: string | null, first: number): Promise<Statement> {
  const { statement } = await client.request<{ statement: Statement }>(statementQuery, { aui, unit, first, after });
  return statement;
}

/** The statement as CSV (RFC 4180): amounts as the exact decimals the API sends, never reformatted. */
export function statementCsv(lines: readonly StatementLine[], unit: string): string {
  const field = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const rows = lines.map((line) => [line.at, line.kind, line.description, line.amount, line.balance, unit, line.commissionId ?? line.payoutId ?? ''].map(field).join(','));
  return ['at,kind,description,amount,balance,unit,reference', ...rows].join('\n') + '\n';
}
