import type { CommissionState } from '@earnings/contracts';
import { assertCanReadEarnings } from '../auth/access-policy';
import { Caller } from '../auth/caller';
import { QueryError } from '../errors/query-error';
import { decodePayoutCursor, decodeTransactionCursor, encodeCursor } from './cursor';
import { EarningsRepository, EarningsView, PayoutRow, TransactionRow } from './earnings.repository';
import { statusExplanation } from './status-explanation';

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

export type Transaction = TransactionRow & { statusExplanation: string };

/**
 * Payouts as the API shows them. Until the payout service lands they come from the ledger's
 * applied_payout table, so only executed payouts appear (state "succeeded"); then in-flight
 * payouts will come from the payout service's own tables.
 */
export interface Payout {
  id: string;
  unit: string;
  amount: string;
  method: string;
  state: string;
  createdAt: string;
  executedAt: string | null;
}

export interface EarningsLoader {
  load(aui: string): Promise<EarningsView>;
}

/** Every read of the API: checks access first, then reads through the repository. */
export class EarningsService {
  constructor(private readonly repository: EarningsRepository, private readonly pageSizeMax: number) {}

  async earnings(caller: Caller | undefined, aui: string, loader: EarningsLoader): Promise<EarningsView> {
    assertCanReadEarnings(caller, aui);
    return loader.load(aui);
  }

  /** For subscriptions: access was checked when the subscription started. */
  async currentEarnings(aui: string): Promise<EarningsView> {
    return this.repository.earningsOf(aui);
  }

  assertCanSubscribe(caller: Caller | undefined, aui: string): void {
    assertCanReadEarnings(caller, aui);
  }

  async transactions(caller: Caller | undefined, aui: string, page: PageRequest, states: readonly CommissionState[] | null): Promise<Connection<Transaction>> {
    assertCanReadEarnings(caller, aui);
    const size = this.pageSize(page.first);
    const cursor = page.after ? decodeTransactionCursor(page.after) : null;
    const rows = await this.repository.transactionsOf(aui, states && states.length > 0 ? states : null, cursor, size + 1);
    return toConnection(rows, size, (row) => ({ ...row, statusExplanation: statusExplanation(row.state, row.source) }), (row) => [row.eventDate, row.source, row.commissionId]);
  }

  async payouts(caller: Caller | undefined, aui: string, page: PageRequest): Promise<Connection<Payout>> {
    assertCanReadEarnings(caller, aui);
    const size = this.pageSize(page.first);
    const cursor = page.after ? decodePayoutCursor(page.after) : null;
    const rows = await this.repository.payoutsOf(aui, cursor, size + 1);
    return toConnection(rows, size, toPayout, (row) => [row.executedAt, row.id]);
  }

  private pageSize(first: number | null | undefined): number {
    if (first === null || first === undefined) return this.pageSizeMax;
    if (first < 1 || first > this.pageSizeMax) throw new QueryError('BAD_USER_INPUT', `first must be between 1 and ${this.pageSizeMax}`);
    return first;
  }
}

function toPayout(row: PayoutRow): Payout {
  return { id: row.id, unit: row.unit, amount: row.amount, method: row.method, state: 'succeeded', createdAt: row.executedAt, executedAt: row.executedAt };
}

/** Rows were read with one extra beyond `size`: its presence is hasNextPage. */
function toConnection<Row, Node>(rows: Row[], size: number, toNode: (row: Row) => Node, sortKey: (row: Row) => (string | null)[]): Connection<Node> {
  const page = rows.slice(0, size);
  const edges = page.map((row) => ({ cursor: encodeCursor(sortKey(row)), node: toNode(row) }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null } };
}
