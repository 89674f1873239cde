import type { CommissionState } from '@earnings/contracts';
import { commissionKey } from '@earnings/domain';
import { assertCanReadEarnings } from '../auth/access-policy';
import { Caller } from '../auth/caller';
import { QueryError } from '../errors/query-error';
import { decodePayoutCursor, decodeTransactionCursor, encodeCursor } from './cursor';
import { earningsSeries, EarningsSeries, evenlySpacedMoments, historyPointsDefault, historyPointsMax } from './earnings-history';
import { CommissionVersionRow, CoveredCommissionRow, EarningsRepository, EarningsView, PayoutRow, TransactionRow, VersionOwner } from './earnings.repository';
import { PayoutPolicyRepository } from './payout-policy.repository';
import { payoutScheduleOf, PayoutScheduleView } from './payout-schedule';
import { statusExplanation } from './status-explanation';

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

/** A commission with what payouts covered of it, as the ledger recorded each payout when it succeeded. */
export type Transaction = TransactionRow & { statusExplanation: string; paidOutAmount: string; uncollected: string; paidBy: string[] };

/** Payouts as the API shows them, in every state the payout service announced, with the commissions each covered. */
export interface Payout {
  id: string;
  unit: string;
  amount: string;
  method: string;
  state: string;
  createdAt: string;
  executedAt: string | null;
  endedAt: string | null;
  reason: string | null;
  /** As recorded when it succeeded: empty until then, and for payouts made before coverage was recorded. */
  covered: CoveredCommissionRow[];
}

export type CommissionVersion = CommissionVersionRow & { statusExplanation: string };

export interface HistoryRequest {
  from?: string | null;
  to?: string | null;
  points?: number | null;
}

export interface EarningsLoader {
  load(aui: string): Promise<EarningsView>;
}

/** Every read of the API: checks access first, then reads through the repository. */
export class EarningsService {
  constructor(
    private readonly repository: EarningsRepository,
    private readonly pageSizeMax: number,
    private readonly payoutPolicies: PayoutPolicyRepository,
  ) {}

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

  async transactions(caller: Caller | undefined, aui: string, page: PageRequest, states: readonly CommissionState[] | null, unit: string | null = null): Promise<Connection<Transaction>> {
    assertCanReadEarnings(caller, aui);
    const size = this.pageSize(page.first);
    const cursor = page.after ? decodeTransactionCursor(page.after) : null;
    const rows = await this.repository.transactionsOf(aui, states && states.length > 0 ? states : null, cursor, size + 1, unit);
    const coverage = await this.repository.coverageOfCommissions(aui, rows.slice(0, size));
    const toTransaction = (row: TransactionRow): Transaction => {
      const covered = coverage.get(commissionKey(row.source, row.commissionId));
      return {
        ...row, statusExplanation: statusExplanation(row.state, row.source),
        paidOutAmount: covered?.paidOut ?? '0', uncollected: covered?.uncollected ?? '0', paidBy: covered?.payoutIds ?? [],
      };
    };
    return toConnection(rows, size, toTransaction, (row) => [row.eventDate, row.source, row.commissionId]);
  }

  async payouts(caller: Caller | undefined, aui: string, page: PageRequest): Promise<Connection<Payout>> {
    assertCanReadEarnings(caller, aui);
    const size = this.pageSize(page.first);
    const cursor = page.after ? decodePayoutCursor(page.after) : null;
    const rows = await this.repository.payoutsOf(aui, cursor, size + 1);
    const coverage = await this.repository.coverageOfPayouts(rows.slice(0, size).map((row) => row.id));
    return toConnection(rows, size, (row) => toPayout(row, coverage.get(row.id) ?? []), (row) => [row.listedAt, row.id]);
  }

  async payoutSchedule(caller: Caller | undefined, aui: string, loader: EarningsLoader, now: Date): Promise<PayoutScheduleView[]> {
    assertCanReadEarnings(caller, aui);
    const [earnings, policy] = await Promise.all([loader.load(aui), this.payoutPolicies.current()]);
    return payoutScheduleOf(policy, aui, earnings.balances, now, earnings.securityHold?.until ?? null);
  }

  /** Every version of one of the user's commissions the ledger applied; a commission of another user reads as empty. */
  async commissionHistory(caller: Caller | undefined, aui: string, source: string, commissionId: string): Promise<CommissionVersion[]> {
    assertCanReadEarnings(caller, aui);
    const versions = await this.repository.commissionVersionsOf(aui, source, commissionId);
    return versions.map((version) => ({ ...version, statusExplanation: version.owner === 'YOU' ? statusExplanation(version.state, version.source) : ownerExplanation[version.owner] }));
  }

  /** Lifetime earned and paid out as of evenly spaced moments, from the first commission (or `from`) to now (or `to`). */
  async earningsHistory(caller: Caller | undefined, aui: string, request: HistoryRequest, now: Date): Promise<EarningsSeries[]> {
    assertCanReadEarnings(caller, aui);
    const points = request.points ?? historyPointsDefault;
    if (!Number.isInteger(points) || points < 2 || points > historyPointsMax) throw new QueryError('BAD_USER_INPUT', `points must be between 2 and ${historyPointsMax}`);
    const firstSeen = request.from ? null : await this.repository.firstActivityOf(aui);
    const from = request.from ? dateOrThrow('from', request.from) : firstSeen ? new Date(firstSeen) : null;
    const to = request.to ? dateOrThrow('to', request.to) : now;
    if (from === null) return [];
    if (from.getTime() >= to.getTime()) throw new QueryError('BAD_USER_INPUT', 'from must be before to');
    const moments = evenlySpacedMoments(from, to, points);
    return earningsSeries(await this.repository.earningsAsOf(aui, moments), moments);
  }

  private pageSize(first: number | null | undefined): number {
    if (first === null || first === undefined) return this.pageSizeMax;
    if (first < 1 || first > this.pageSizeMax) throw new QueryError('BAD_USER_INPUT', `first must be between 1 and ${this.pageSizeMax}`);
    return first;
  }
}

function dateOrThrow(name: string, text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new QueryError('BAD_USER_INPUT', `${name} must be an ISO-8601 timestamp`);
  return date;
}

function toPayout(row: PayoutRow, covered: CoveredCommissionRow[]): Payout {
  return {
    id: row.id, unit: row.unit, amount: row.amount, method: row.method, state: row.state, createdAt: row.listedAt,
    executedAt: row.executedAt, endedAt: row.endedAt, reason: row.endReason, covered,
  };
}

/** A version that named someone else, in the words of the user reading the history (never whom it named). */
const ownerExplanation: Record<Exclude<VersionOwner, 'YOU'>, string> = {
  ANOTHER_USER: 'The source gave this commission to another user in this version: it counts nothing for you. Anything already paid to you for it shows as uncollected until later earnings make it up.',
  UNATTRIBUTED: 'The source named no user for this commission in this version: it counted for no one.',
};

/** Rows were read with one extra beyond `size`: its presence is hasNextPage. */
function toConnection<Row, Node>(rows: Row[], size: number, toNode: (row: Row) => Node, sortKey: (row: Row) => (string | null)[]): Connection<Node> {
  const page = rows.slice(0, size);
  const edges = page.map((row) => ({ cursor: encodeCursor(sortKey(row)), node: toNode(row) }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null } };
}
