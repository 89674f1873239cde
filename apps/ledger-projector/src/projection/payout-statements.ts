import { canonicalTimestamp, coverageOf, decidePayoutEvent, Decimal, LedgerPayout, PayoutCoverageRecord, PayoutEvent, toDecimalString } from '@earnings/domain';
import { arrayLiteral, ledgerFigureColumns, payoutFigureSql } from '@earnings/persistence';
import { ChunkSql } from './chunk-sql';

/**
 * A chunk's payout events. Each payout's record is merged with decidePayoutEvent (libs/domain: the
 * state only moves up, each field set by one event type, so the three payout topics may arrive in
 * any order); what a record counts on its balance comes from the ledger's rule (ledger_payout_figure).
 * Payout topics carry a few events per payout run, so this path is per payout, not set-based.
 * What a payout covered is recorded when its PayoutExecuted applies (once per payout: executedAt is
 * set by that event only), from the event (coverageOf), and never rewritten.
 */
export class PayoutStatements {
  constructor(private readonly schema: string) {}

  async apply(sql: ChunkSql, events: readonly PayoutEvent[]): Promise<{ applied: number; duplicates: number }> {
    if (events.length === 0) return { applied: 0, duplicates: 0 };
    const stored = await this.lockStored(sql, events);
    const changed = new Map<string, LedgerPayout>();
    const coverage: PayoutCoverageRecord[] = [];
    let applied = 0;
    for (const event of events) {
      const decision = decidePayoutEvent(changed.get(event.payoutId) ?? stored.get(event.payoutId), event);
      if (!decision.applied) continue;
      changed.set(event.payoutId, decision.payout);
      if (event.type === 'PayoutExecuted') coverage.push(...coverageOf(event));
      applied += 1;
    }
    const records = [...changed.values()].sort((left, right) => compareText(left.payoutId, right.payoutId));
    await this.writeRecords(sql, records);
    await this.writeCoverage(sql, coverage);
    await this.addContributions(sql, records, stored);
    return { applied, duplicates: events.length - applied };
  }

  private async lockStored(sql: ChunkSql, events: readonly PayoutEvent[]): Promise<Map<string, LedgerPayout>> {
    const payoutIds = [...new Set(events.map((event) => event.payoutId))].sort(compareText);
    // Payout steps arrive on three topics applied concurrently, and the first two steps of a payout
    // may both find no row: a transaction lock per payout id (taken in one order) serialises them.
    await sql.run(`SELECT pg_advisory_xact_lock(hashtextextended('ledger-payout:' || id, 0)) FROM unnest($1::text[]) AS id ORDER BY id`, [payoutIds]);
    const rows = await sql.rows<PayoutRecordRow>(
      `SELECT payout_id, aui, unit, amount::text, method, state, requested_at, executed_at, ended_at, end_reason
         FROM ${this.schema}.payout WHERE payout_id = ANY($1) ORDER BY payout_id FOR UPDATE`,
      [payoutIds],
    );
    return new Map(rows.map((row) => [row.payout_id, payoutFromRow(row)]));
  }

  private async writeRecords(sql: ChunkSql, records: readonly LedgerPayout[]): Promise<void> {
    if (records.length === 0) return;
    await sql.run(
      `INSERT INTO ${this.schema}.payout AS p (payout_id, aui, unit, amount, method, state, requested_at, executed_at, ended_at, end_reason)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::text[])
       ON CONFLICT (payout_id) DO UPDATE SET state = EXCLUDED.state, requested_at = EXCLUDED.requested_at, executed_at = EXCLUDED.executed_at,
         ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason, updated_at = now()`,
      columns(records, [
        (p) => p.payoutId, (p) => p.aui, (p) => p.unit, (p) => toDecimalString(p.amount), (p) => p.method, (p) => p.state,
        (p) => p.requestedAt, (p) => p.executedAt, (p) => p.endedAt, (p) => p.endReason,
      ]),
    );
  }

  /** Written once: a replayed PayoutExecuted finds its rows and leaves them as they are. */
  private async writeCoverage(sql: ChunkSql, coverage: readonly PayoutCoverageRecord[]): Promise<void> {
    if (coverage.length === 0) return;
    await sql.run(
      `INSERT INTO ${this.schema}.payout_coverage (payout_id, position, aui, unit, source, commission_id, amount)
       SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[])
       ON CONFLICT (payout_id, source, commission_id) DO NOTHING`,
      columns(coverage, [
        (c) => c.payoutId, (c) => String(c.position), (c) => c.aui, (c) => c.unit, (c) => c.source, (c) => c.commissionId, (c) => toDecimalString(c.amount),
      ]),
    );
  }

  /** Each changed record counts on its balance by its new state; its stored record (if any) stops counting. */
  private async addContributions(sql: ChunkSql, records: readonly LedgerPayout[], stored: ReadonlyMap<string, LedgerPayout>): Promise<void> {
    const entering = records.map((record) => ({ record, sign: '1' }));
    const leaving = records.flatMap((record) => {
      const before = stored.get(record.payoutId);
      return before === undefined ? [] : [{ record: before, sign: '-1' }];
    });
    const rows = [...entering, ...leaving];
    if (rows.length === 0) return;
    await sql.run(
      `INSERT INTO ledger_chunk_contribution (aui, unit, ${ledgerFigureColumns.join(', ')}, order_payable, order_pending_negative, caused_by, observed_at)
       SELECT aui, unit, ${ledgerFigureColumns.map((figure) => `sign * ${payoutFigureSql(figure, 'state', 'amount')}`).join(', ')}, 0, 0, payout_id, NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::text[]) AS r (aui, unit, state, amount, sign, payout_id)`,
      columns(rows, [(r) => r.record.aui, (r) => r.record.unit, (r) => r.record.state, (r) => toDecimalString(r.record.amount), (r) => r.sign, (r) => r.record.payoutId]),
    );
  }
}

interface PayoutRecordRow {
  payout_id: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
  state: LedgerPayout['state'];
  requested_at: string | null;
  executed_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

function payoutFromRow(row: PayoutRecordRow): LedgerPayout {
  const timestamp = (value: string | null) => (value === null ? null : canonicalTimestamp(value));
  return {
    payoutId: row.payout_id, aui: row.aui, unit: row.unit, amount: new Decimal(row.amount), method: row.method, state: row.state,
    requestedAt: timestamp(row.requested_at), executedAt: timestamp(row.executed_at), endedAt: timestamp(row.ended_at), endReason: row.end_reason,
  };
}

/** Turns rows into one array literal per column, the shape `unnest($1::type[], ...)` takes. */
function columns<T>(rows: readonly T[], pickers: ((row: T) => string | null)[]): string[] {
  return pickers.map((pick) => arrayLiteral(rows.map(pick)));
}

const compareText = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);
