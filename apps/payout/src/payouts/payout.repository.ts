import { CoveredCommission, Topics } from '@earnings/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalTimestamp, Decimal, OutstandingCommission, PayoutState } from '@earnings/domain';
import { commissionFigureSql, flaggedCommissionsSql, returnedRows } from '@earnings/persistence';
import { leaseClaimedBy, leaseIsFree, leaseReleased } from '../work/work-lease';

/** A balance a run may pay: the ledger's figures (from balance-changed) and this service's own payouts on it. */
export interface CandidateRow {
  aui: string;
  unit: string;
  payable: string;
  paid_out: string;
  reserved: string;
  pending_reversals: string;
  /** This service's payouts requested, at the provider, or succeeded and not returned. */
  committed: string;
  method: string | null;
  destination: string | null;
  payout_count: string;
  /**
   * The ledger has announced a change of this user that the view has not consumed yet (its
   * balance_sequence, per AUI, is above the highest the view holds for the AUI): the figures may lag.
   */
  view_behind: boolean;
  /** What commissions a fraud check flagged make payable here, while held or after a rejection (payout_commission_hold). */
  flagged_held: string;
  /** Until when a changed payout method holds the user's payouts (payout_security_hold), or null. */
  security_hold_until: string | null;
  /** The balance holds FirstPromoter commissions: their fraud flags come through this service's commission consumer. */
  has_flaggable: boolean;
}

export interface PayoutRow {
  payout_id: string;
  idempotency_key: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
  destination: string | null;
  state: PayoutState;
  provider_reference: string | null;
  failure_reason: string | null;
  covered_commissions: CoveredCommission[];
  run_id: string;
  attempt_count: number;
  /** The process working on it now (its lease), or null. */
  lease_owner: string | null;
  provider_status: string | null;
  /** `pending` while the partner reviews it (PAYOUT_REVIEW), then `approved` or `rejected`; null when not reviewed. */
  review_state: 'pending' | 'approved' | 'rejected' | null;
  review_reason: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewPayout {
  payoutId: string;
  idempotencyKey: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
  destination: string | null;
  coveredCommissions: CoveredCommission[];
  runId: string;
  /** Held for the partner's review before it leaves. */
  review: boolean;
}

/** Largest number of balances one run considers; the next run takes the rest. */
export const runCandidatesMax = 50_000;

/** What an attempt records besides the state: the provider's word for where the payout is. */
export interface AttemptRecord {
  providerStatus?: string | null;
}

/** In an upsert of payout_method: the stored method (m) is changed to another method or destination, and changes hold payouts. */
const changed = `($4::integer > 0 AND (m.method, m.destination) IS DISTINCT FROM (EXCLUDED.method, EXCLUDED.destination))`;

/** All SQL of payouts, methods and the outbox. `leaseOwner` names this process on the payouts it claims. */
export class PayoutRepository {
  constructor(private readonly dataSource: DataSource, readonly leaseOwner: string) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Runs never overlap: the second waits for the first and then sees its reservations. */
  async lockRuns(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('earnings-payout-run'))`);
  }

  /**
   * The inputs of spendableOf per balance, set-based: the ledger's figures as the view holds them
   * and what this service has committed, and whether the view is behind the ledger (ledger.balance,
   * the view the projector publishes). The rule itself lives in libs/domain (spendableOf).
   * `available > 0` only narrows the scan: spendable is never above the ledger's available.
   */
  async candidates(manager: EntityManager, units: string[], auiPrefix: string): Promise<CandidateRow[]> {
    return manager.query(
      `SELECT b.aui, b.unit, (b.available + b.paid_out + b.reserved)::text AS payable, b.paid_out::text, b.reserved::text,
              b.pending_reversals::text, coalesce(h.committed, 0)::text AS committed,
              m.method, m.destination, coalesce(h.payout_count, 0)::text AS payout_count,
              coalesce(l.balance_sequence, 0) > v.view_sequence AS view_behind,
              coalesce(f.flagged_held, 0)::text AS flagged_held, sh.held_until AS security_hold_until,
              EXISTS (SELECT 1 FROM ledger.commission fc WHERE fc.aui = b.aui AND fc.unit = b.unit AND fc.source = 'firstpromoter') AS has_flaggable
         FROM payout_balance b
         CROSS JOIN LATERAL (SELECT max(balance_sequence) AS view_sequence FROM payout_balance WHERE aui = b.aui) v
         LEFT JOIN ledger.balance l ON l.aui = b.aui AND l.unit = b.unit
         LEFT JOIN payout_commitment h ON h.aui = b.aui AND h.unit = b.unit
         LEFT JOIN payout_method m ON m.aui = b.aui
         LEFT JOIN payout_security_hold sh ON sh.aui = b.aui
         -- The flagged commissions are few: summed once per balance, not looked up per candidate.
         LEFT JOIN (SELECT aui, unit, sum(greatest(0, payable)) AS flagged_held FROM (${flaggedCommissionsSql('true')}) flagged GROUP BY aui, unit) f
           ON f.aui = b.aui AND f.unit = b.unit
        WHERE b.unit = ANY($1::text[]) AND starts_with(b.aui, $2) AND b.available > 0
        ORDER BY b.aui, b.unit
        LIMIT ${runCandidatesMax}`,
      [units, auiPrefix],
    );
  }

  /**
   * Per (AUI, unit) asked for, what each commission is still owed by cash payouts: what it pays the
   * user today (the ledger's rule, from ledger.commission) minus what this user's payouts that did
   * not fail or come back covered of it (their covered_commissions). A commission covered before and
   * since returned, rejected or moved to another user owes a negative amount (a clawback).
   */
  async outstandingCommissions(manager: EntityManager, balances: readonly { aui: string; unit: string }[]): Promise<Map<string, OutstandingCommission[]>> {
    const outstanding = new Map<string, OutstandingCommission[]>();
    if (balances.length === 0) return outstanding;
    const rows: { aui: string; unit: string; source: string; commission_id: string; outstanding: string; order_key: string | null; occurred_at: string | null }[] = await manager.query(
      `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) AS w(aui, unit)),
       covered AS (
         SELECT p.aui, p.unit, c.source, c."commissionId" AS commission_id, sum(c.amount) AS amount
           FROM payout p JOIN wanted w ON w.aui = p.aui AND w.unit = p.unit
          CROSS JOIN LATERAL jsonb_to_recordset(p.covered_commissions) AS c(source text, "commissionId" text, amount numeric)
          WHERE p.state IN ('requested', 'submitted', 'succeeded') AND c.amount IS NOT NULL
          GROUP BY 1, 2, 3, 4),
       payable AS (
         SELECT * FROM (
           SELECT c.aui, c.unit, c.source, c.commission_id, ${commissionFigureSql('payable', 'c.state', 'c.user_amount', 'c.paid_by_network', 'c.merchant_order_id')} AS amount,
                  CASE WHEN c.merchant_order_id IS NULL THEN NULL ELSE json_build_array(c.source, coalesce(c.merchant_id, ''), c.merchant_order_id)::text END AS order_key,
                  -- A reward has no event date: when the ledger first saw it.
                  coalesce(c.event_date, (SELECT min(v.modified_date) FROM ledger.commission_version v WHERE v.source = c.source AND v.commission_id = c.commission_id)) AS occurred_at
             FROM ledger.commission c JOIN wanted w ON w.aui = c.aui AND w.unit = c.unit
            -- A commission a fraud check flagged is not owed until an operator clears it.
            WHERE NOT EXISTS (SELECT 1 FROM payout_commission_hold fh WHERE fh.source = c.source AND fh.commission_id = c.commission_id)) figures
          WHERE amount <> 0)
       SELECT coalesce(m.aui, d.aui) AS aui, coalesce(m.unit, d.unit) AS unit, coalesce(m.source, d.source) AS source, coalesce(m.commission_id, d.commission_id) AS commission_id,
              (coalesce(m.amount, 0) - coalesce(d.amount, 0))::text AS outstanding, m.order_key, m.occurred_at
         FROM payable m FULL JOIN covered d ON d.aui = m.aui AND d.unit = m.unit AND d.source = m.source AND d.commission_id = m.commission_id
        WHERE coalesce(m.amount, 0) - coalesce(d.amount, 0) <> 0`,
      [balances.map((balance) => balance.aui), balances.map((balance) => balance.unit)],
    );
    for (const row of rows) {
      const key = JSON.stringify([row.aui, row.unit]);
      outstanding.set(key, [...(outstanding.get(key) ?? []), {
        source: row.source, commissionId: row.commission_id, orderKey: row.order_key, occurredAt: row.occurred_at === null ? null : canonicalTimestamp(row.occurred_at), outstanding: new Decimal(row.outstanding),
      }]);
    }
    return outstanding;
  }

  /** Inserts the payouts; one whose idempotency key exists already is left out and not returned. */
  async insertPayouts(manager: EntityManager, payouts: NewPayout[]): Promise<string[]> {
    if (payouts.length === 0) return [];
    const rows: { payout_id: string }[] = await manager.query(
      `INSERT INTO payout (payout_id, idempotency_key, aui, unit, amount, method, destination, covered_commissions, run_id, state, review_state)
       SELECT p.payout_id, p.idempotency_key, p.aui, p.unit, p.amount, p.method, p.destination, p.covered::jsonb, p.run_id, 'requested', CASE WHEN p.review THEN 'pending' END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
              AS p(payout_id, idempotency_key, aui, unit, amount, method, destination, covered, run_id, review)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING payout_id`,
      [
        payouts.map((payout) => payout.payoutId), payouts.map((payout) => payout.idempotencyKey), payouts.map((payout) => payout.aui),
        payouts.map((payout) => payout.unit), payouts.map((payout) => payout.amount), payouts.map((payout) => payout.method),
        payouts.map((payout) => payout.destination), payouts.map((payout) => JSON.stringify(payout.coveredCommissions)), payouts.map((payout) => payout.runId),
        payouts.map((payout) => payout.review),
      ],
    );
    return rows.map((row) => row.payout_id);
  }

  /** Every payout insert announces PayoutRequested in the same transaction, so the ledger holds the amount. */
  async appendOutboxMany(manager: EntityManager, topic: (typeof Topics)[keyof typeof Topics], messages: { key: string; payload: object }[]): Promise<void> {
    if (messages.length === 0) return;
    await manager.query(
      `INSERT INTO payout_outbox (topic, message_key, payload) SELECT $1, k, p::jsonb FROM unnest($2::text[], $3::text[]) AS m(k, p)`,
      [topic, messages.map((message) => message.key), messages.map((message) => JSON.stringify(message.payload))],
    );
  }

  /**
   * Claims up to `limit` due payouts for this process for `leaseMs`: in flight (requested,
   * submitted) or succeeded and still watched for a return, due, and not leased to a live claim.
   * SKIP LOCKED hands concurrent claims (any number of processes) different rows; a claim that
   * meets a row another just leased re-reads it and leaves it.
   */
  async claimDue(limit: number, leaseMs: number): Promise<PayoutRow[]> {
    return returnedRows<PayoutRow>(await this.dataSource.query(
      `UPDATE payout p SET ${leaseClaimedBy('$3', '$2')}, attempt_count = p.attempt_count + 1
        WHERE p.payout_id IN (SELECT payout_id FROM payout
                                WHERE (state IN ('requested', 'submitted') OR (state = 'succeeded' AND return_watch_until > now()))
                                  -- A payout the partner reviews leaves only once approved.
                                  AND review_state IS DISTINCT FROM 'pending'
                                  AND next_attempt_at <= now() AND ${leaseIsFree}
                                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING p.*, p.amount::text AS amount`,
      [limit, leaseMs, this.leaseOwner],
    ));
  }

  async lockPayout(manager: EntityManager, payoutId: string): Promise<PayoutRow | null> {
    const rows: PayoutRow[] = await manager.query(`SELECT *, amount::text AS amount FROM payout WHERE payout_id = $1 FOR UPDATE`, [payoutId]);
    return rows[0] ?? null;
  }

  /** Writes a payout's new state and releases its lease; the caller locked the row (lockPayout) and checked the lease. */
  async setState(
    manager: EntityManager, payoutId: string, state: PayoutState,
    change: AttemptRecord & { providerReference?: string | null; failureReason?: string; nextAttemptInMs?: number; returnWatchMs?: number },
  ): Promise<void> {
    await manager.query(
      `UPDATE payout SET state = $2, provider_reference = coalesce($3, provider_reference), failure_reason = coalesce($4, failure_reason),
              next_attempt_at = now() + make_interval(secs => $5::numeric / 1000),
              return_watch_until = CASE WHEN $6::numeric IS NULL THEN return_watch_until ELSE now() + make_interval(secs => $6::numeric / 1000) END,
              provider_status = $7, ${leaseReleased}, updated_at = now()
        WHERE payout_id = $1`,
      [payoutId, state, change.providerReference ?? null, change.failureReason ?? null, change.nextAttemptInMs ?? 0, change.returnWatchMs ?? null, change.providerStatus ?? null],
    );
  }

  /**
   * The attempt changed nothing: asked again in `delayMs`, lease released. Only while the lease is
   * still this process's; returns false when another process has taken the payout over meanwhile.
   * Inside a transaction that locked the payout, pass its manager: another connection would wait on that lock for good.
   */
  async retryLater(payoutId: string, delayMs: number, record: AttemptRecord = {}, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = returnedRows(await manager.query(
      `UPDATE payout SET next_attempt_at = now() + make_interval(secs => $2::numeric / 1000), provider_status = coalesce($4, provider_status),
              ${leaseReleased}, updated_at = now()
        WHERE payout_id = $1 AND lease_owner = $3
        RETURNING 1`,
      [payoutId, delayMs, this.leaseOwner, record.providerStatus ?? null],
    ));
    return rows.length > 0;
  }

  async appendOutbox(manager: EntityManager, topic: (typeof Topics)[keyof typeof Topics], key: string, payload: object): Promise<void> {
    await manager.query(`INSERT INTO payout_outbox (topic, message_key, payload) VALUES ($1, $2, $3::jsonb)`, [topic, key, JSON.stringify(payload)]);
  }

  /** One relay at a time publishes the outbox, whichever process it runs in: true when this transaction holds the turn. */
  async tryLockOutboxRelay(manager: EntityManager): Promise<boolean> {
    const [{ locked }]: { locked: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('earnings-payout-outbox-relay')) AS locked`);
    return locked;
  }

  async unpublished(manager: EntityManager, limit: number): Promise<{ id: string; topic: string; message_key: string; payload: object }[]> {
    return manager.query(`SELECT id::text AS id, topic, message_key, payload FROM payout_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`, [limit]);
  }

  async markPublished(manager: EntityManager, ids: readonly string[]): Promise<void> {
    await manager.query(`UPDATE payout_outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /**
   * Sets the user's payout method. Changing an existing one (another method or destination)
   * holds the user's payouts for `holdHours` from now (a hold lifted before starts again); the
   * first method, or the same one again, holds nothing. Returns the hold's end, if any.
   */
  async setMethod(aui: string, method: string, destination: string | null, holdHours: number): Promise<{ heldUntil: string | null }> {
    const rows: { held_until: string | null }[] = await this.dataSource.query(
      `INSERT INTO payout_method AS m (aui, method, destination) VALUES ($1, $2, $3)
       ON CONFLICT (aui) DO UPDATE SET method = EXCLUDED.method, destination = EXCLUDED.destination, updated_at = now(),
         held_until = CASE WHEN ${changed} THEN now() + make_interval(hours => $4) ELSE m.held_until END,
         hold_started_at = CASE WHEN ${changed} THEN now() ELSE m.hold_started_at END,
         hold_lifted_by = CASE WHEN ${changed} THEN NULL ELSE m.hold_lifted_by END,
         hold_lifted_at = CASE WHEN ${changed} THEN NULL ELSE m.hold_lifted_at END,
         hold_lift_reason = CASE WHEN ${changed} THEN NULL ELSE m.hold_lift_reason END
       RETURNING CASE WHEN m.hold_lifted_at IS NULL AND m.held_until > now() THEN m.held_until END AS held_until`,
      [aui, method, destination, holdHours],
    );
    return { heldUntil: rows[0]?.held_until ?? null };
  }

  /** Ends a user's security hold now, recording who lifted it and why; null when none holds. */
  async liftSecurityHold(aui: string, liftedBy: string, reason: string): Promise<{ heldUntil: string; liftedAt: string } | null> {
    const rows: { held_until: string; hold_lifted_at: string }[] = returnedRows(await this.dataSource.query(
      `UPDATE payout_method SET hold_lifted_by = $2, hold_lifted_at = now(), hold_lift_reason = $3
        WHERE aui = $1 AND held_until > now() AND hold_lifted_at IS NULL
        RETURNING held_until, hold_lifted_at`,
      [aui, liftedBy, reason],
    ));
    return rows.length === 0 ? null : { heldUntil: rows[0].held_until, liftedAt: rows[0].hold_lifted_at };
  }

  /** The user's latest security hold, lifted or not (null when their method never changed). */
  async securityHoldOf(aui: string): Promise<{ held_until: string; hold_started_at: string; hold_lifted_by: string | null; hold_lifted_at: string | null; hold_lift_reason: string | null } | null> {
    const rows: { held_until: string; hold_started_at: string; hold_lifted_by: string | null; hold_lifted_at: string | null; hold_lift_reason: string | null }[] = await this.dataSource.query(
      `SELECT held_until, hold_started_at, hold_lifted_by, hold_lifted_at, hold_lift_reason FROM payout_method WHERE aui = $1 AND held_until IS NOT NULL`, [aui]);
    return rows[0] ?? null;
  }

  /** Locks payouts waiting for review: the given ids, or every one of a run. */
  async lockInReview(manager: EntityManager, selection: { payoutIds: readonly string[] } | { runId: string }): Promise<PayoutRow[]> {
    if ('runId' in selection) {
      return manager.query(`SELECT *, amount::text AS amount FROM payout WHERE run_id = $1 AND review_state = 'pending' ORDER BY payout_id FOR UPDATE`, [selection.runId]);
    }
    return manager.query(`SELECT *, amount::text AS amount FROM payout WHERE payout_id = ANY($1::text[]) ORDER BY payout_id FOR UPDATE`, [selection.payoutIds]);
  }

  /** Payouts waiting for review (of one run, or all), oldest first. */
  async awaitingReview(runId: string | null, limit: number): Promise<PayoutRow[]> {
    return this.dataSource.query(
      `SELECT *, amount::text AS amount FROM payout WHERE review_state = 'pending' AND ($1::text IS NULL OR run_id = $1) ORDER BY created_at, payout_id LIMIT $2`,
      [runId, limit],
    );
  }

  /** Records an operator's review of payouts they locked (lockInReview); an approved one is due at once. */
  async recordReview(manager: EntityManager, payoutIds: readonly string[], decision: 'approved' | 'rejected', reviewedBy: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE payout SET review_state = $2, reviewed_by = $3, review_reason = $4, reviewed_at = now(), next_attempt_at = now(), updated_at = now()
        WHERE payout_id = ANY($1::text[])`,
      [payoutIds, decision, reviewedBy, reason],
    );
  }

  async payoutsOf(aui: string, limit: number): Promise<PayoutRow[]> {
    return this.dataSource.query(`SELECT *, amount::text AS amount FROM payout WHERE aui = $1 ORDER BY created_at DESC, payout_id LIMIT $2`, [aui, limit]);
  }
}

