import { isCurrencyUnit } from '@earnings/domain';
import { PayoutApiException } from '../errors/payout-api.exception';
import { payoutEvents } from '../payouts/payout-events';
import { RewardFulfilmentRepository } from '../rewards/reward-fulfilment.repository';
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

  /**
   * The partner took back a delivered reward: the payout is returned (PayoutReturned: the ledger
   * makes the reward available again, and the next approval delivers it again) and FirstPromoter
   * is told mark_unfulfilled for what it covered. Repeating the call changes nothing.
   */
  async reverseRewardDelivery(payoutId: string): Promise<{ payoutId: string; state: string; reversedCommissionIds: string[] }> {
    const reversed = await this.payouts.reverseRewardDelivery(payoutId, (payout) => payoutEvents.returned({ payoutId: payout.payout_id, aui: payout.aui, unit: payout.unit, amount: payout.amount, method: payout.method }, 'reversed by the partner', new Date().toISOString()));
    if (reversed === null) throw new PayoutApiException('not-found', `no payout ${payoutId}`);
    if (isCurrencyUnit(reversed.payout.unit)) throw new PayoutApiException('not-a-reward', `payout ${payoutId} is cash: it comes back only when its provider returns it`);
    // The fulfilment marker picks the reversal up within its next second.
    return { payoutId, state: reversed.payout.state === 'succeeded' ? 'returned' : reversed.payout.state, reversedCommissionIds: reversed.reversedCommissionIds };
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
        providerReference: row.provider_reference, failureReason: row.failure_reason, coveredCommissions: row.covered_commissions,
        runId: row.run_id, createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
      })),
    };
  }
}
