import { Topics } from '@earnings/contracts';
import { PayoutApiException } from '../errors/payout-api.exception';
import { payoutEvents } from '../payouts/payout-events';
import { PayoutRepository, PayoutRow } from '../payouts/payout.repository';
import { RewardDeliveryService } from '../rewards/reward-delivery.service';
import { CommissionFlagRepository, CommissionFlagRow } from './commission-flag.repository';

/** Flags listed at most. */
const flagsListedMax = 1_000;

/** One payout as a review shows it: who decided, when, and why. */
export function reviewOf(row: Pick<PayoutRow, 'review_state' | 'review_reason' | 'reviewed_by' | 'reviewed_at'>) {
  return row.review_state === null ? null : {
    state: row.review_state, reason: row.review_reason, decidedBy: row.reviewed_by, decidedAt: row.reviewed_at === null ? null : new Date(row.reviewed_at).toISOString(),
  };
}

/**
 * What an operator decides about money the rules hold: payouts under the partner's review
 * (PAYOUT_REVIEW), a user's security hold after a change of payout method, and commissions a
 * fraud check flagged. Every decision records who made it, when and why.
 */
export class PayoutHoldsService {
  constructor(
    private readonly payouts: PayoutRepository,
    private readonly flags: CommissionFlagRepository,
    private readonly rewards: RewardDeliveryService,
    /** Wakes the processor, so an approved payout leaves at once. */
    private readonly wake: () => void,
  ) {}

  /**
   * Approves or rejects payouts waiting for review: the given one, or every one of a run still
   * waiting. An approved payout leaves with the processor's next tick; a rejected one fails
   * (PayoutFailed: the ledger releases its hold and the money is spendable again). Deciding a
   * payout the same way again changes nothing; the other way, or one never reviewed, is a 409.
   */
  async review(selection: { payoutId: string } | { runId: string }, decision: 'approve' | 'reject', decidedBy: string, reason: string) {
    const state = decision === 'approve' ? 'approved' as const : 'rejected' as const;
    const decided = await this.payouts.transaction(async (manager) => {
      const rows = await this.payouts.lockInReview(manager, 'runId' in selection ? selection : { payoutIds: [selection.payoutId] });
      if (rows.length === 0) {
        throw new PayoutApiException('not-found', 'runId' in selection ? `no payout of run ${selection.runId} waits for review` : `no payout ${selection.payoutId}`);
      }
      const [first] = rows;
      if ('payoutId' in selection && first.review_state !== 'pending') {
        if (first.review_state === state) return rows;
        throw new PayoutApiException('not-in-review', first.review_state === null ? `payout ${first.payout_id} was not held for review` : `payout ${first.payout_id} was ${first.review_state} already`);
      }
      await this.payouts.recordReview(manager, rows.map((row) => row.payout_id), state, decidedBy, reason);
      if (state === 'rejected') {
        const failureReason = `rejected in review by ${decidedBy}: ${reason}`;
        const failedAt = new Date().toISOString();
        for (const row of rows) {
          await this.payouts.setState(manager, row.payout_id, 'failed', { failureReason });
          await this.payouts.appendOutbox(manager, Topics.payoutFailed, row.aui, payoutEvents.failed(
            { payoutId: row.payout_id, aui: row.aui, unit: row.unit, amount: row.amount, method: row.method }, failureReason, failedAt,
          ));
        }
      }
      return this.payouts.lockInReview(manager, { payoutIds: rows.map((row) => row.payout_id) });
    });
    if (state === 'approved') this.wake();
    return {
      payouts: decided.map((row) => ({ payoutId: row.payout_id, aui: row.aui, unit: row.unit, amount: row.amount, state: row.state, runId: row.run_id, review: reviewOf(row) })),
    };
  }

  /** Payouts waiting for review, oldest run first (optionally of one run). */
  async inReview(runId: string | null) {
    const rows = await this.payouts.awaitingReview(runId, flagsListedMax);
    return {
      payouts: rows.map((row) => ({
        payoutId: row.payout_id, aui: row.aui, unit: row.unit, amount: row.amount, method: row.method, runId: row.run_id, createdAt: new Date(row.created_at).toISOString(),
      })),
    };
  }

  /** The user's latest security hold: until when, since when, and who lifted it, when and why. */
  async securityHold(aui: string) {
    const hold = await this.payouts.securityHoldOf(aui);
    if (hold === null) throw new PayoutApiException('not-found', `no security hold on ${aui}`);
    const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
    return {
      aui, heldUntil: iso(hold.held_until), methodChangedAt: iso(hold.hold_started_at),
      holding: hold.hold_lifted_at === null && new Date(hold.held_until).getTime() > Date.now(),
      lifted: hold.hold_lifted_at === null ? null : { by: hold.hold_lifted_by, at: iso(hold.hold_lifted_at), reason: hold.hold_lift_reason },
    };
  }

  /** Ends a user's security hold now (the partner confirmed the change with the user). */
  async liftSecurityHold(aui: string, liftedBy: string, reason: string) {
    const lifted = await this.payouts.liftSecurityHold(aui, liftedBy, reason);
    if (lifted === null) throw new PayoutApiException('not-found', `no security hold on ${aui}`);
    return { aui, heldUntil: new Date(lifted.heldUntil).toISOString(), liftedBy, liftedAt: new Date(lifted.liftedAt).toISOString(), reason };
  }

  /**
   * Clears a flagged commission (it counts in spendable again; a reward is delivered as its
   * approval would have) or rejects it (kept out of spendable for good). Deciding it the same way
   * again changes nothing; the other way is a 409.
   */
  async decideFlag(source: string, commissionId: string, decision: 'clear' | 'reject', decidedBy: string, reason: string) {
    const wanted = decision === 'clear' ? 'cleared' as const : 'rejected' as const;
    const result = await this.flags.decide(source, commissionId, wanted, decidedBy, reason);
    if (result === null) throw new PayoutApiException('not-found', `no flagged commission ${source}:${commissionId}`);
    if (!result.decided && result.row.decision !== wanted) throw new PayoutApiException('not-in-review', `commission ${source}:${commissionId} was ${result.row.decision} already`);
    if (result.decided && wanted === 'cleared' && source === 'firstpromoter') await this.rewards.afterCleared(commissionId);
    return flagView(result.row);
  }

  async flagsOf(decision: string | null) {
    return { commissions: (await this.flags.list({ decision }, flagsListedMax)).map(flagView) };
  }
}

function flagView(row: CommissionFlagRow) {
  return {
    source: row.source, commissionId: row.commission_id, aui: row.aui, unit: row.unit, amount: row.amount,
    fraudCheck: row.fraud_check, isSelfReferral: row.is_self_referral, flaggedAt: new Date(row.flagged_at).toISOString(),
    decision: row.decision, reason: row.decision_reason, decidedBy: row.decided_by, decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
  };
}
