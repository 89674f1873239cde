import { RewardFulfilmentRepository } from '../rewards/reward-fulfilment.repository';
import { RewardPayoutsService } from '../rewards/reward-payouts.service';
import { PayoutRunService, PayoutRunSummary } from '../payouts/payout-run.service';
import { PayoutRepository } from '../payouts/payout.repository';
import { SetPayoutMethodDto } from './dtos/payout-method.dto';
import { reviewOf } from '../holds/payout-holds.service';

/** A user's payouts listed at most; an operator with more needs SQL, not this API. */
export const payoutsListedMax = 1_000;

export class PayoutAdminService {
  constructor(
    private readonly payouts: PayoutRepository,
    private readonly runs: PayoutRunService,
    private readonly afterRun: () => void,
    private readonly fulfilments: RewardFulfilmentRepository,
    private readonly rewardPayouts: RewardPayoutsService,
    /** How long a change of an existing payout method holds the user's payouts (PAYOUT_METHOD_CHANGE_HOLD_HOURS). */
    private readonly methodChangeHoldHours: number,
  ) {}

  async runNow(): Promise<PayoutRunSummary> {
    const summary = await this.runs.run(new Date());
    this.afterRun();
    return summary;
  }

  /**
   * Sets the user's payout method. Changing an existing one holds the user's payouts for
   * PAYOUT_METHOD_CHANGE_HOLD_HOURS (a taken-over account is not emptied to a new address at
   * once); `securityHoldUntil` says until when. The first method holds nothing.
   */
  async setMethod(aui: string, body: SetPayoutMethodDto): Promise<{ aui: string; method: string; destination: string | null; securityHoldUntil: string | null }> {
    const destination = body.method === 'account_credit' ? null : (body.destination ?? null);
    const { heldUntil } = await this.payouts.setMethod(aui, body.method, destination, this.methodChangeHoldHours);
    return { aui, method: body.method, destination, securityHoldUntil: heldUntil === null ? null : new Date(heldUntil).toISOString() };
  }

  /** A reward delivery the partner reversed (refund, cancelled credit): repeated calls change nothing. */
  reverseRewardDelivery(payoutId: string) {
    return this.rewardPayouts.reverse(payoutId);
  }

  /** A reward delivery that keeps being refused, given up on purpose; the reward is available again. */
  giveUpRewardDelivery(payoutId: string, reason: string) {
    return this.rewardPayouts.giveUp(payoutId, reason);
  }

  /** Where telling FirstPromoter stands per commission (marked, retrying with its last error, given up, ...). */
  async rewardFulfilments(state: string | null) {
    const rows = await this.fulfilments.list(state, payoutsListedMax);
    return {
      fulfilments: rows.map((row) => ({
        commissionId: row.commission_id, payoutId: row.payout_id, state: row.state, attempts: row.attempts, lastError: row.last_error,
        batchId: row.batch_id, nextAttemptAt: new Date(row.next_attempt_at).toISOString(),
      })),
    };
  }

  async payoutsOf(aui: string) {
    const rows = await this.payouts.payoutsOf(aui, payoutsListedMax);
    return {
      payouts: rows.map((row) => ({
        payoutId: row.payout_id, aui: row.aui, unit: row.unit, amount: row.amount, method: row.method, state: row.state,
        providerReference: row.provider_reference, providerStatus: row.provider_status, failureReason: row.failure_reason, coveredCommissions: row.covered_commissions,
        runId: row.run_id, review: reviewOf(row), createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
      })),
    };
  }
}
