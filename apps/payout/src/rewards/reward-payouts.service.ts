import { Topics } from '@earnings/contracts';
import { isCurrencyUnit } from '@earnings/domain';
import { PayoutApiException } from '../errors/payout-api.exception';
import { payoutEvents } from '../payouts/payout-events';
import { PayoutRepository, PayoutRow } from '../payouts/payout.repository';
import { RewardFulfilmentRepository } from './reward-fulfilment.repository';

const announced = (payout: PayoutRow) => ({ payoutId: payout.payout_id, aui: payout.aui, unit: payout.unit, amount: payout.amount, method: payout.method });

/** What an operator does to a reward payout: take back a delivered one, or give up one that cannot be delivered. */
export class RewardPayoutsService {
  constructor(private readonly payouts: PayoutRepository, private readonly fulfilments: RewardFulfilmentRepository) {}

  /**
   * The partner took back a delivered reward: the payout is returned (PayoutReturned: the ledger
   * makes the reward available again, and the next approval or run delivers it again) and
   * FirstPromoter should know what it covered unfulfilled. Repeating the call changes nothing.
   */
  async reverse(payoutId: string): Promise<{ payoutId: string; state: string; reversedCommissionIds: string[] }> {
    const reversed = await this.payouts.transaction(async (manager) => {
      const payout = this.rewardPayoutOrThrow(await this.payouts.lockPayout(manager, payoutId), payoutId);
      if (payout.state !== 'succeeded') return { state: payout.state, ids: [] };
      await this.payouts.setState(manager, payoutId, 'returned', { failureReason: 'reversed by the partner' });
      await this.payouts.appendOutbox(manager, Topics.payoutLifecycle, payout.aui, payoutEvents.returned(announced(payout), 'reversed by the partner', new Date().toISOString()));
      return { state: 'returned', ids: await this.fulfilments.reversed(manager, payoutId) };
    });
    // The action runner tells FirstPromoter within its next second.
    return { payoutId, state: reversed.state, reversedCommissionIds: reversed.ids };
  }

  /**
   * A reward delivery the partner's endpoint keeps refusing is retried with backoff until it is
   * delivered or an operator gives it up here: the payout fails (PayoutFailed: the ledger releases
   * its hold, the reward is available again) and nothing is marked fulfilled for it.
   */
  async giveUp(payoutId: string, reason: string): Promise<{ payoutId: string; state: 'failed'; failureReason: string }> {
    const failureReason = `given up by an operator: ${reason}`;
    await this.payouts.transaction(async (manager) => {
      const payout = this.rewardPayoutOrThrow(await this.payouts.lockPayout(manager, payoutId), payoutId);
      if (payout.state !== 'requested' && payout.state !== 'submitted') throw new PayoutApiException('not-in-flight', `payout ${payoutId} is ${payout.state}: only a delivery still being tried can be given up`);
      await this.payouts.setState(manager, payoutId, 'failed', { failureReason });
      await this.payouts.appendOutbox(manager, Topics.payoutFailed, payout.aui, payoutEvents.failed(announced(payout), failureReason, new Date().toISOString()));
    });
    return { payoutId, state: 'failed', failureReason };
  }

  private rewardPayoutOrThrow(payout: PayoutRow | null, payoutId: string): PayoutRow {
    if (payout === null) throw new PayoutApiException('not-found', `no payout ${payoutId}`);
    // Cash comes back only when its provider says so, and a cash payout in flight may still pay.
    if (isCurrencyUnit(payout.unit)) throw new PayoutApiException('not-a-reward', `payout ${payoutId} is cash: it comes back only when its provider returns it`);
    return payout;
  }
}
