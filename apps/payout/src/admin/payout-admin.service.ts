import { RewardFulfilmentRepository } from '../rewards/reward-fulfilment.repository';
import { RewardPayoutsService } from '../rewards/reward-payouts.service';
import { PayoutRunService, PayoutRunSummary } from '../payouts/payout-run.service';
import { PayoutRepository } from '../payouts/payout.repository';
import { SetPayoutMethodDto } from './dtos/payout-method.dto';

/** A user's payouts listed at most; an operator with more needs SQL, not this API. */
export const payoutsListedMax = 1_000;

export class PayoutAdminService {
  constructor(
    private readonly payouts: PayoutRepository,
    private readonly runs: PayoutRunService,
    private readonly afterRun: () => void,
    private readonly fulfilments: RewardFulfilmentRepository,
    private readonly rewardPayouts: RewardPayoutsService,
  ) {}

  async runNow(): Promise<PayoutRunSummary> {
    const summary = await this.runs.run(new Date());
    this.afterRun();
    return summary;
  }

  async setMethod(aui: string, body: SetPayoutMethodDto): Promise<{ aui: string; method: string; destination: string | null }> {
    const destination = body.method === 'account_credit' ? null : (body.destination ?? null);
    await this.payouts.setMethod(aui, body.method, destination);
    return { aui, method: body.method, destination };
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
        runId: row.run_id, createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
      })),
    };
  }
}
