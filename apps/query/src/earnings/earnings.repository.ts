import { canonicalTimestamp, Decimal, FlaggedCommission, OrderWithholding } from '@earnings/domain';
import { CommissionState, isLedgerOwnedAui } from '@earnings/contracts';
import { commissionFigureSql, flaggedCommissionsSql, payoutFigureSql } from '@earnings/persistence';
import { DataSource } from 'typeorm';
import { PayoutCursor, TransactionCursor } from './cursor';
import { spendableBalanceOf, WithheldView } from './spendable-balance';

export interface BalanceView {
  unit: string;
  lifetime: string;
  pending: string;
  available: string;
  paidOut: string;
  paidByNetwork: string;
  reserved: string;
  pendingReversals: string;
  uncollected: string;
  /** What the next payout run would pay now, before the threshold and rounding (spendableOf). */
  spendable: string;
  /** What later earnings must make up before anything is spendable (a clawback, returns beyond the payable): 0 or more. */
  shortfall: string;
  withheld: WithheldView;
}

export interface EarningsView {
  aui: string;
  balances: BalanceView[];
  updatedAt: string | null;
  /** Until when a change of payout method holds the user's payouts (the payout service's payout_security_hold), or null. */
  securityHold: { until: string; methodChangedAt: string; explanation: string } | null;
}

export interface TransactionRow {
  source: string;
  commissionId: string;
  state: CommissionState;
  sourceStatus: string;
  amount: string;
  unit: string;
  saleAmount: string | null;
  saleCurrency: string | null;
  merchantId: string | null;
  merchantOrderId: string | null;
  eventDate: string | null;
  modifiedDate: string;
  lockingDate: string | null;
}

export interface PayoutRow {
  id: string;
  unit: string;
  amount: string;
  method: string;
  state: string;
  listedAt: string;
  executedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
}

/** A row of the view ledger.payout as payoutsOf reads it (timestamps as PostgreSQL's text, amounts as decimal text). */
interface LedgerPayoutRow {
  payout_id: string;
  unit: string;
  amount: string;
  method: string;
  state: string;
  listed_at: string;
  executed_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

/** A row of the view ledger.commission_version as commissionVersionsOf reads it. */
interface LedgerCommissionVersionRow {
  source: string;
  commission_id: string;
  modified_date: string;
  state: CommissionState;
  source_status: string;
  amount: string;
  unit: string;
  applied_at: string;
  aui: string;
}

/** Whom a version of a commission named, as the user reading its history may know it: never another user's id. */
export type VersionOwner = 'YOU' | 'ANOTHER_USER' | 'UNATTRIBUTED';

/** One version of a commission that the ledger applied, oldest first in a history. */
export interface CommissionVersionRow {
  owner: VersionOwner;
  source: string;
  commissionId: string;
  modifiedDate: string;
  state: CommissionState;
  sourceStatus: string;
  amount: string;
  unit: string;
  appliedAt: string;
}

/** One unit's figures as of one moment of a history. */
export interface EarningsAsOfRow {
  at: string;
  unit: string;
  lifetime: string;
  paidOut: string;
}

/** What payouts that succeeded (and did not come back) covered of one commission, from the ledger's record. */
export interface CommissionCoverage {
  paidOut: string;
  /** Paid out on it beyond what it pays today (a return, rejection or correction after the payout). */
  uncollected: string;
  payoutIds: string[];
}

export interface CoveredCommissionRow {
  source: string;
  commissionId: string;
  amount: string;
}

interface BalanceRow {
  aui: string;
  unit: string;
  lifetime: string;
  pending: string;
  payable: string;
  available: string;
  paid_out: string;
  paid_by_network: string;
  reserved: string;
  pending_reversals: string;
  uncollected: string;
  committed: string;
  in_review: string;
  updated_at: string;
}

interface FlaggedRow {
  aui: string;
  unit: string;
  source: string;
  commission_id: string;
  decision: 'held' | 'rejected';
  payable: string;
}

/** Reads the ledger through the views its projector publishes (schema `ledger`), which a rebuild's switch moves with the projection. */
export class EarningsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Earnings of many AUIs (the per-request loader batches aliased fields into one call), one view
   * per AUI, in order: the ledger's balances, what the payout service has committed on each and
   * holds (its published views payout_commitment, payout_commission_hold, payout_security_hold),
   * and the merchant orders withholding a return.
   */
  async earningsOfMany(auis: readonly string[]): Promise<EarningsView[]> {
    type OrderRow = { aui: string; unit: string; source: string; merchant_id: string | null; merchant_order_id: string; withheld: string };
    type HoldRow = { aui: string; held_until: string; method_changed_at: string };
    const [rows, orders, flagged, holds]: [BalanceRow[], OrderRow[], FlaggedRow[], HoldRow[]] = await Promise.all([
      this.dataSource.query(
        `SELECT b.aui, b.unit, b.lifetime::text, b.pending::text, b.payable::text, b.available::text, b.paid_out::text, b.paid_by_network::text, b.reserved::text,
                b.pending_reversals::text, b.uncollected::text, coalesce(c.committed, 0)::text AS committed, coalesce(c.in_review, 0)::text AS in_review, b.updated_at
           FROM ledger.balance b LEFT JOIN payout_commitment c ON c.aui = b.aui AND c.unit = b.unit
          WHERE b.aui = ANY($1::text[]) ORDER BY b.aui, b.unit`,
        [auis],
      ),
      this.dataSource.query(
        `SELECT aui, unit, source, merchant_id, merchant_order_id, withheld::text FROM ledger.order_withholding
          WHERE aui = ANY($1::text[]) AND withheld < 0 ORDER BY aui, unit, source, merchant_id, merchant_order_id`,
        [auis],
      ),
      this.dataSource.query(`SELECT aui, unit, source, commission_id, decision, payable::text FROM (${flaggedCommissionsSql('fc.aui = ANY($1::text[])')}) f ORDER BY source, commission_id`, [auis]),
      this.dataSource.query(`SELECT aui, held_until, method_changed_at FROM payout_security_hold WHERE aui = ANY($1::text[]) AND held_until > now()`, [auis]),
    ]);
    const ordersOf = (aui: string, unit: string): OrderWithholding[] => orders.filter((order) => order.aui === aui && order.unit === unit).map((order) => ({
      source: order.source, merchantId: order.merchant_id, merchantOrderId: order.merchant_order_id, withheld: new Decimal(order.withheld),
    }));
    const flaggedOf = (aui: string, unit: string): FlaggedCommission[] => flagged.filter((row) => row.aui === aui && row.unit === unit).map((row) => ({
      source: row.source, commissionId: row.commission_id, payable: new Decimal(row.payable), decision: row.decision,
    }));
    const holdOf = (aui: string): EarningsView['securityHold'] => {
      const hold = holds.find((row) => row.aui === aui);
      if (hold === undefined) return null;
      const until = canonicalTimestamp(hold.held_until);
      return {
        until, methodChangedAt: canonicalTimestamp(hold.method_changed_at),
        explanation: `Your payout method was changed: for your security, payouts are held until ${until}.`,
      };
    };
    return auis.map((aui) => toEarningsView(aui, rows.filter((row) => row.aui === aui), ordersOf, flaggedOf, holdOf(aui)));
  }

  async earningsOf(aui: string): Promise<EarningsView> {
    return (await this.earningsOfMany([aui]))[0];
  }

  /**
   * One page of an AUI's commissions (the latest version of each), newest purchase first, after
   * `cursor`, reading `limit` rows. Served by the index commission_by_aui_event_date.
   */
  async transactionsOf(aui: string, states: readonly CommissionState[] | null, cursor: TransactionCursor | null, limit: number, unit: string | null = null): Promise<TransactionRow[]> {
    const rows: Record<string, string | null>[] = await this.dataSource.query(
      `SELECT source, commission_id, state, source_status, user_amount::text AS amount, unit, sale_amount::text AS sale_amount,
              sale_currency, merchant_id, merchant_order_id, event_date, modified_date,
              -- The locking date the source sent with the latest version (Wildfire's LockingDate).
              locking_date
         FROM ledger.commission
        WHERE aui = $1
          AND ($2::text[] IS NULL OR state = ANY($2::text[]))
          AND ($3::boolean IS FALSE OR ${afterTransactionCursor})
          AND ($8::text IS NULL OR unit = $8::text)
        ORDER BY event_date DESC NULLS LAST, source, commission_id
        LIMIT $7`,
      [aui, states, cursor !== null, cursor?.eventDate ?? null, cursor?.source ?? null, cursor?.commissionId ?? null, limit, unit],
    );
    return rows.map(toTransactionRow);
  }

  /** One page of an AUI's payouts in every state, newest first. Served by the index payout_by_aui_listed_at. */
  async payoutsOf(aui: string, cursor: PayoutCursor | null, limit: number): Promise<PayoutRow[]> {
    const rows: LedgerPayoutRow[] = await this.dataSource.query(
      `SELECT payout_id, unit, amount::text, method, state, listed_at, executed_at, ended_at, end_reason
         FROM ledger.payout
        WHERE aui = $1
          AND ($2::boolean IS FALSE OR listed_at < $3::timestamptz OR (listed_at = $3::timestamptz AND payout_id > $4))
        ORDER BY listed_at DESC, payout_id
        LIMIT $5`,
      [aui, cursor !== null, cursor?.listedAt ?? null, cursor?.payoutId ?? null, limit],
    );
    const timestamp = (value: string | null) => (value === null ? null : canonicalTimestamp(value));
    return rows.map((row) => ({
      id: row.payout_id, unit: row.unit, amount: row.amount, method: row.method, state: row.state,
      listedAt: canonicalTimestamp(row.listed_at), executedAt: timestamp(row.executed_at), endedAt: timestamp(row.ended_at), endReason: row.end_reason,
    }));
  }

  /**
   * What the AUI's payouts that succeeded (and did not come back) covered of each of these
   * commissions, by the ledger's record (ledger.payout_coverage, written when each payout
   * succeeded), payouts in the order they succeeded.
   */
  async coverageOfCommissions(aui: string, commissions: readonly { source: string; commissionId: string }[]): Promise<Map<string, CommissionCoverage>> {
    if (commissions.length === 0) return new Map();
    const rows: { source: string; commission_id: string; paid_out: string; uncollected: string; payout_ids: string[] }[] = await this.dataSource.query(
      `SELECT pc.source, pc.commission_id, trim_scale(sum(pc.amount))::text AS paid_out,
              greatest(0, sum(pc.amount) - coalesce(max(${commissionFigureSql('payable', 'c.state', 'c.user_amount', 'c.paid_by_network', 'c.merchant_order_id')}) FILTER (WHERE c.aui = $1), 0))::text AS uncollected,
              array_agg(pc.payout_id ORDER BY p.executed_at, pc.payout_id) AS payout_ids
         FROM ledger.payout_coverage pc
         JOIN ledger.payout p ON p.payout_id = pc.payout_id AND p.state = 'succeeded'
         LEFT JOIN ledger.commission c ON c.source = pc.source AND c.commission_id = pc.commission_id
        WHERE pc.aui = $1 AND (pc.source, pc.commission_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
        GROUP BY pc.source, pc.commission_id`,
      [aui, commissions.map((commission) => commission.source), commissions.map((commission) => commission.commissionId)],
    );
    return new Map(rows.map((row) => [JSON.stringify([row.source, row.commission_id]), { paidOut: row.paid_out, uncollected: trimmed(row.uncollected), payoutIds: row.payout_ids }]));
  }

  /** What each of these payouts covered, as recorded when it succeeded, in the run's order. */
  async coverageOfPayouts(payoutIds: readonly string[]): Promise<Map<string, CoveredCommissionRow[]>> {
    const covered = new Map<string, CoveredCommissionRow[]>();
    if (payoutIds.length === 0) return covered;
    const rows: { payout_id: string; source: string; commission_id: string; amount: string }[] = await this.dataSource.query(
      `SELECT payout_id, source, commission_id, amount::text FROM ledger.payout_coverage WHERE payout_id = ANY($1::text[]) ORDER BY payout_id, position`,
      [payoutIds],
    );
    for (const row of rows) covered.set(row.payout_id, [...(covered.get(row.payout_id) ?? []), { source: row.source, commissionId: row.commission_id, amount: row.amount }]);
    return covered;
  }

  /**
   * Every applied version of a commission one of whose versions named the AUI, oldest first;
   * empty otherwise. A version that named someone else says so (ANOTHER_USER or UNATTRIBUTED) and
   * counts nothing for this user; whom it named is never shown.
   */
  async commissionVersionsOf(aui: string, source: string, commissionId: string): Promise<CommissionVersionRow[]> {
    const rows: LedgerCommissionVersionRow[] = await this.dataSource.query(
      `SELECT source, commission_id, modified_date, state, source_status, user_amount::text AS amount, unit, applied_at, aui
         FROM ledger.commission_version
        WHERE source = $1 AND commission_id = $2
          AND EXISTS (SELECT 1 FROM ledger.commission_version v WHERE v.source = $1 AND v.commission_id = $2 AND v.aui = $3)
        ORDER BY modified_date`,
      [source, commissionId, aui],
    );
    return rows.map((row) => {
      const owner: VersionOwner = row.aui === aui ? 'YOU' : isLedgerOwnedAui(row.aui) ? 'UNATTRIBUTED' : 'ANOTHER_USER';
      return {
        owner, source: row.source, commissionId: row.commission_id, modifiedDate: canonicalTimestamp(row.modified_date), state: row.state,
        sourceStatus: row.source_status, amount: owner === 'YOU' ? row.amount : '0', unit: row.unit, appliedAt: canonicalTimestamp(row.applied_at),
      };
    });
  }

  /** When the user's first commission version or payout happened: where a history starts by default. */
  async firstActivityOf(aui: string): Promise<string | null> {
    const [{ first }]: { first: string | null }[] = await this.dataSource.query(
      `SELECT least((SELECT min(modified_date) FROM ledger.commission_version WHERE aui = $1),
                    (SELECT min(listed_at) FROM ledger.payout WHERE aui = $1)) AS first`,
      [aui],
    );
    return first === null ? null : canonicalTimestamp(first);
  }

  /**
   * Lifetime earned and paid out per unit as of each moment (ascending), by the ledger's rule: at a
   * moment each commission counts with its latest version modified by then, for the user that
   * version names (a commission re-attributed away stops counting for the first user); a payout
   * counts by the state it had reached by then. Served by commission_version_by_aui and the
   * versions' primary key. (A version's lifetime figure never depends on its merchant order, which
   * the versions do not keep.)
   */
  async earningsAsOf(aui: string, moments: readonly string[]): Promise<EarningsAsOfRow[]> {
    const rows: { at: string; unit: string; lifetime: string; paid_out: string }[] = await this.dataSource.query(
      `WITH moment AS (SELECT at FROM unnest($2::timestamptz[]) AS at),
            commission_key AS (SELECT DISTINCT source, commission_id FROM ledger.commission_version WHERE aui = $1),
            figure AS (
              SELECT m.at, v.unit, ${commissionFigureSql('lifetime', 'v.state', 'v.user_amount', 'v.paid_by_network', 'NULL::text')} AS lifetime, 0 AS paid_out
                FROM moment m CROSS JOIN commission_key k
                JOIN LATERAL (SELECT aui, unit, state, user_amount, paid_by_network FROM ledger.commission_version v
                               WHERE v.source = k.source AND v.commission_id = k.commission_id AND v.modified_date <= m.at
                               ORDER BY v.modified_date DESC LIMIT 1) v ON v.aui = $1
              UNION ALL
              SELECT m.at, p.unit, 0, ${payoutFigureSql('paid_out', 'p.state_at', 'p.amount')}
                FROM moment m JOIN LATERAL (
                  SELECT unit, amount, CASE WHEN state IN ('failed', 'returned') AND ended_at <= m.at THEN state
                                            WHEN executed_at <= m.at THEN 'succeeded'
                                            WHEN requested_at <= m.at THEN 'requested' END AS state_at
                    FROM ledger.payout WHERE aui = $1) p ON p.state_at IS NOT NULL)
       SELECT at, unit, trim_scale(sum(lifetime))::text AS lifetime, trim_scale(sum(paid_out))::text AS paid_out
         FROM figure GROUP BY at, unit ORDER BY unit, at`,
      [aui, moments],
    );
    return rows.map((row) => ({ at: canonicalTimestamp(row.at), unit: row.unit, lifetime: row.lifetime, paidOut: row.paid_out }));
  }
}

// Rows strictly after the cursor in (event_date DESC NULLS LAST, source, commission_id): $4 event date, $5 source, $6 commission id.
const afterTransactionCursor = `(
  CASE WHEN $4::timestamptz IS NULL
    THEN event_date IS NULL AND (source, commission_id) > ($5::text, $6::text)
    ELSE event_date < $4::timestamptz OR event_date IS NULL OR (event_date = $4::timestamptz AND (source, commission_id) > ($5::text, $6::text))
  END)`;

function toEarningsView(
  aui: string, rows: BalanceRow[], ordersOf: (aui: string, unit: string) => OrderWithholding[], flaggedOf: (aui: string, unit: string) => FlaggedCommission[],
  securityHold: EarningsView['securityHold'],
): EarningsView {
  const updatedAt = rows.reduce<string | null>((latest, row) => (latest === null || row.updated_at > latest ? row.updated_at : latest), null);
  return {
    aui,
    balances: rows.map((row) => ({
      unit: row.unit,
      lifetime: row.lifetime,
      pending: row.pending,
      available: row.available,
      paidOut: row.paid_out,
      paidByNetwork: row.paid_by_network,
      reserved: row.reserved,
      pendingReversals: row.pending_reversals,
      uncollected: row.uncollected,
      ...spendableBalanceOf(
        { payable: row.payable, paidOut: row.paid_out, reserved: row.reserved, pendingReversals: row.pending_reversals }, row.committed, ordersOf(aui, row.unit),
        { inReview: new Decimal(row.in_review), flagged: flaggedOf(aui, row.unit) },
      ),
    })),
    updatedAt: updatedAt === null ? null : canonicalTimestamp(updatedAt),
    securityHold,
  };
}

/** numeric's text keeps trailing zeros ("0.00"): the API answers one text form per value. */
const trimmed = (text: string): string => new Decimal(text).toFixed();

function toTransactionRow(row: Record<string, string | null>): TransactionRow {
  return {
    source: String(row.source),
    commissionId: String(row.commission_id),
    state: row.state as CommissionState,
    sourceStatus: String(row.source_status),
    amount: String(row.amount),
    unit: String(row.unit),
    saleAmount: row.sale_amount,
    saleCurrency: row.sale_currency,
    merchantId: row.merchant_id,
    merchantOrderId: row.merchant_order_id,
    eventDate: row.event_date === null ? null : canonicalTimestamp(row.event_date),
    modifiedDate: canonicalTimestamp(String(row.modified_date)),
    lockingDate: row.locking_date === null ? null : canonicalTimestamp(row.locking_date),
  };
}
