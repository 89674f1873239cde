import { canonicalTimestamp } from '@earnings/domain';
import { commissionFigureSql, payoutFigureSql } from '@earnings/persistence';
import { DataSource } from 'typeorm';

/** What moved a statement's balance: a commission's version, or a step of a payout. */
export type StatementLineKind = 'COMMISSION' | 'CLAWBACK' | 'PAYOUT_REQUESTED' | 'PAYOUT_PAID' | 'PAYOUT_FAILED' | 'PAYOUT_RETURNED';

export interface StatementLineRow {
  at: string;
  kind: StatementLineKind;
  amount: string;
  /** The balance after this line. */
  balance: string;
  source: string | null;
  commissionId: string | null;
  payoutId: string | null;
  /** A commission's version that named another user: the amount left this user's balance. */
  movedToAnotherUser: boolean;
  /** The line's place in the statement's order (time, rank, source, commission or payout id), for a cursor. */
  position: StatementPosition;
}

export type StatementPosition = [at: string, rank: string, source: string, id: string];

export interface StatementPage {
  opening: string;
  closing: string;
  lines: StatementLineRow[];
}

/** Lines of a statement in their order: the time of the change, then what it is, then which. */
const orderColumns = ['at', 'rank', "coalesce(commission_source, '')", 'coalesce(commission_id, payout_id)'];
const order = orderColumns.join(', ');
const orderBackwards = orderColumns.map((column) => `${column} DESC`).join(', ');

/**
 * A running statement of one (AUI, unit)'s available balance, read through the ledger's views with
 * the ledger's rule functions: each version of each of the user's commissions moves the balance by
 * what it changes in `payable` (a version naming another user takes the commission's amount away),
 * each step of a payout by what it changes in `reserved` and `paid_out`, at the source's or the
 * payout's own time. The lines telescope to the balance the ledger holds, so the closing balance
 * without `to` is the available balance GraphQL shows.
 */
export class StatementRepository {
  constructor(private readonly dataSource: DataSource) {}

  async statementOf(aui: string, unit: string, range: { from: string | null; to: string | null }, after: StatementPosition | null, limit: number): Promise<StatementPage> {
    const availableOfPayout = (state: string) => `-(${payoutFigureSql('reserved', state, 'amount')} + ${payoutFigureSql('paid_out', state, 'amount')})`;
    const rows: StatementQueryRow[] = await this.dataSource.query(
      `WITH commission_key AS (SELECT DISTINCT source, commission_id FROM ledger.commission_version WHERE aui = $1),
            version_figure AS (
              SELECT v.source, v.commission_id, v.modified_date AS at, v.aui = $1 AS ours,
                     CASE WHEN v.aui = $1 AND v.unit = $2 THEN ${commissionFigureSql('payable', 'v.state', 'v.user_amount', 'v.paid_by_network', 'NULL::text')} ELSE 0 END AS counted
                FROM ledger.commission_version v JOIN commission_key k ON k.source = v.source AND k.commission_id = v.commission_id),
            payout_step AS (
              SELECT p.payout_id, p.amount, s.at, s.rank, s.state FROM ledger.payout p
               CROSS JOIN LATERAL (VALUES (p.requested_at, 2, 'requested'), (p.executed_at, 3, 'succeeded'),
                                          (CASE WHEN p.state IN ('failed', 'returned') THEN p.ended_at END, 4, p.state)) s (at, rank, state)
               WHERE p.aui = $1 AND p.unit = $2 AND s.at IS NOT NULL),
            line AS (
              SELECT at, 1 AS rank, source AS commission_source, commission_id, NULL::text AS payout_id, NOT ours AS moved, NULL::text AS state,
                     counted - coalesce(lag(counted) OVER (PARTITION BY source, commission_id ORDER BY at), 0) AS amount
                FROM version_figure
              UNION ALL
              SELECT at, rank, NULL, NULL, payout_id, false, state,
                     ${availableOfPayout('state')} - coalesce(lag(${availableOfPayout('state')}) OVER (PARTITION BY payout_id ORDER BY at, rank), 0)
                FROM payout_step),
            running AS (
              SELECT *, sum(amount) OVER (ORDER BY ${order} ROWS UNBOUNDED PRECEDING) AS balance
                FROM line WHERE amount <> 0 OR state = 'succeeded'),
            edge AS (
              SELECT coalesce((SELECT balance FROM running WHERE $3::timestamptz IS NOT NULL AND at < $3 ORDER BY ${orderBackwards} LIMIT 1), 0) AS opening,
                     coalesce((SELECT balance FROM running WHERE $4::timestamptz IS NULL OR at < $4 ORDER BY ${orderBackwards} LIMIT 1), 0) AS closing),
            page AS (
              SELECT * FROM running
               WHERE ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
                 AND ($5::timestamptz IS NULL OR (at, rank, coalesce(commission_source, ''), coalesce(commission_id, payout_id)) > ($5, $6::int, $7, $8))
               ORDER BY ${order} LIMIT $9)
       SELECT trim_scale(e.opening)::text AS opening, trim_scale(e.closing)::text AS closing, p.at, p.rank, p.commission_source, p.commission_id,
              p.payout_id, p.moved, p.state, trim_scale(p.amount)::text AS amount, trim_scale(p.balance)::text AS balance
         FROM edge e LEFT JOIN page p ON true
        ORDER BY p.at, p.rank, coalesce(p.commission_source, ''), coalesce(p.commission_id, p.payout_id)`,
      [aui, unit, range.from, range.to, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, after?.[3] ?? null, limit],
    );
    const first = rows[0];
    const lines = rows.filter((row): row is StatementQueryRow & StatementLineQueryRow => row.at !== null).map((row): StatementLineRow => {
      const at = canonicalTimestamp(row.at);
      return {
        at, kind: kindOf(row), amount: row.amount, balance: row.balance, source: row.commission_source, commissionId: row.commission_id, payoutId: row.payout_id,
        movedToAnotherUser: row.moved, position: [at, String(row.rank), row.commission_source ?? '', String(row.commission_id ?? row.payout_id)],
      };
    });
    return { opening: first.opening, closing: first.closing, lines };
  }
}

/** One line of the statement, as the query reads it from the views ledger.commission_version and ledger.payout. */
interface StatementLineQueryRow {
  at: string;
  rank: number;
  commission_source: string | null;
  commission_id: string | null;
  payout_id: string | null;
  moved: boolean;
  /** The payout's state at this step; null on a commission's line. */
  state: string | null;
  amount: string;
  balance: string;
}

/** The opening and closing balances on every row, and one line or (on an empty page) none. */
type StatementQueryRow = { opening: string; closing: string } & (StatementLineQueryRow | { [field in keyof StatementLineQueryRow]: null });

function kindOf(row: StatementLineQueryRow): StatementLineKind {
  switch (row.state) {
    case null:
      // A commission change that leaves the balance below zero takes back money already paid out.
      return row.amount.startsWith('-') && row.balance.startsWith('-') ? 'CLAWBACK' : 'COMMISSION';
    case 'requested':
      return 'PAYOUT_REQUESTED';
    case 'succeeded':
      return 'PAYOUT_PAID';
    case 'failed':
      return 'PAYOUT_FAILED';
    case 'returned':
      return 'PAYOUT_RETURNED';
    default:
      throw new Error(`a statement line of unknown state ${String(row.state)}`);
  }
}
