import { PayoutApiException } from '../errors/payout-api.exception';
import { PayoutRunService, PayoutRunSummary } from '../payouts/payout-run.service';
import { PayoutRepository } from '../payouts/payout.repository';
import { SetPayoutMethodDto } from './dtos/payout-method.dto';

/** A user's payouts listed at most; an operator with more needs SQL, not this API. */
export const payoutsListedMax = 1_000;

export class PayoutAdminService {
  constructor(private readonly payouts: PayoutRepository, private readonly runs: PayoutRunService, private readonly afterRun: () => void) {}

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

  /** The partner took back a delivered reward: FirstPromoter is told mark_unfulfilled for what it covered. */
  async reverseRewardDelivery(payoutId: string): Promise<{ payoutId: string; reversedCommissionIds: string[] }> {
    const reversed = await this.payouts.reverseRewardDelivery(payoutId);
    if (reversed === null) throw new PayoutApiException('not-found', `no payout ${payoutId}`);
    // The fulfilment marker picks the reversal up within its next second.
    return { payoutId, reversedCommissionIds: reversed };
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
