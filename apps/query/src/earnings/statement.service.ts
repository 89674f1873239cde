import { assertCanReadEarnings } from '../auth/access-policy';
import { Caller } from '../auth/caller';
import { QueryError } from '../errors/query-error';
import { decodeStatementCursor, encodeCursor } from './cursor';
import { Connection, PageRequest } from './earnings.service';
import { StatementLineRow, StatementRepository } from './statement.repository';

export interface StatementRequest extends PageRequest {
  unit: string;
  from?: string | null;
  to?: string | null;
}

export interface Statement {
  aui: string;
  unit: string;
  from: string | null;
  to: string | null;
  opening: string;
  closing: string;
  lines: Connection<StatementLine>;
}

export type StatementLine = Omit<StatementLineRow, 'position'> & { description: string };

/** A user's statement: the access rule first, then one page of lines with the balance after each. */
export class StatementService {
  constructor(private readonly repository: StatementRepository, private readonly pageSizeMax: number) {}

  async statement(caller: Caller | undefined, aui: string, request: StatementRequest): Promise<Statement> {
    assertCanReadEarnings(caller, aui);
    const first = request.first ?? this.pageSizeMax;
    if (first < 1 || first > this.pageSizeMax) throw new QueryError('BAD_USER_INPUT', `first must be between 1 and ${this.pageSizeMax}`);
    const from = timestampOrThrow('from', request.from);
    const to = timestampOrThrow('to', request.to);
    if (from !== null && to !== null && from >= to) throw new QueryError('BAD_USER_INPUT', 'from must be before to');
    const after = request.after ? decodeStatementCursor(request.after) : null;
    const page = await this.repository.statementOf(aui, request.unit, { from, to }, after, first + 1);
    const edges = page.lines.slice(0, first).map(({ position, ...line }) => ({ cursor: encodeCursor(position), node: { ...line, description: descriptionOf(line, request.unit) } }));
    return {
      aui, unit: request.unit, from, to, opening: page.opening, closing: page.closing,
      lines: { edges, pageInfo: { hasNextPage: page.lines.length > first, endCursor: edges.at(-1)?.cursor ?? null } },
    };
  }
}

function timestampOrThrow(name: string, text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  if (Number.isNaN(new Date(text).getTime())) throw new QueryError('BAD_USER_INPUT', `${name} must be an ISO-8601 timestamp`);
  return text;
}

/** The line in the user's words. */
function descriptionOf(line: Omit<StatementLineRow, 'position'>, unit: string): string {
  switch (line.kind) {
    case 'COMMISSION':
      return line.amount.startsWith('-') ? `Commission ${line.commissionId} reduced (a return or a change by the source)` : `Commission ${line.commissionId} became payable`;
    case 'CLAWBACK':
      return line.movedToAnotherUser
        ? `Commission ${line.commissionId} was moved to another account by the source after it was paid out: later earnings offset it`
        : `Commission ${line.commissionId} was reversed after it was paid out: later earnings offset it`;
    case 'PAYOUT_REQUESTED':
      return `Payout ${line.payoutId} requested: ${line.amount.replace('-', '')} ${unit} on its way to you`;
    case 'PAYOUT_PAID':
      return `Payout ${line.payoutId} paid`;
    case 'PAYOUT_FAILED':
      return `Payout ${line.payoutId} failed: the amount is available again`;
    case 'PAYOUT_RETURNED':
      return `Payout ${line.payoutId} came back: the amount is available again`;
    default: {
      const unreachable: never = line.kind;
      throw new Error(`unknown statement line ${String(unreachable)}`);
    }
  }
}
