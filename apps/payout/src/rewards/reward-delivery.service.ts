import { randomUUID } from 'node:crypto';
import { CommissionObserved } from '@earnings/contracts';
import { Decimal, decideRewardDelivery, isCurrencyUnit, RewardCommission, RewardDeliveryPolicy } from '@earnings/domain';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { payoutEvents } from '../payouts/payout-events';
import { RewardRepository } from './reward.repository';

/**
 * Delivers FirstPromoter rewards when their approved version arrives (within seconds, not with
 * the nightly cash run): each observation of a reward commission is kept if newer, and an
 * approved one owing more than its earlier deliveries gave becomes a payout for the unit's
 * fulfiller. The processor then delivers it like any payout; the marker tells FirstPromoter.
 */
export class RewardDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rewards: RewardRepository,
    private readonly policy: RewardDeliveryPolicy,
    private readonly logger: Logger,
  ) {}

  /** Called with every delivery decided, to count it and wake the processor. */
  onDelivered: (unit: string, fulfiller: string) => void = () => undefined;

  static concerns(observation: CommissionObserved): boolean {
    return observation.source === 'firstpromoter' && !isCurrencyUnit(observation.unit);
  }

  /** In order: two versions of one commission in a batch are decided one after the other. */
  async apply(observations: readonly CommissionObserved[]): Promise<number> {
    let delivered = 0;
    for (const observation of observations.filter(RewardDeliveryService.concerns)) delivered += (await this.applyOne(observation)) ? 1 : 0;
    return delivered;
  }

  private async applyOne(observation: CommissionObserved): Promise<boolean> {
    const decided = await this.dataSource.transaction(async (manager) => {
      await this.rewards.lockCommission(manager, observation.commissionId);
      if (!(await this.rewards.applyVersion(manager, observation))) return null;
      const commission: RewardCommission = {
        commissionId: observation.commissionId, aui: observation.aui, unit: observation.unit, amount: new Decimal(observation.userAmount), state: observation.state,
      };
      const decision = decideRewardDelivery(commission, await this.rewards.deliveredAmount(manager, commission), this.policy);
      if (decision.kind === 'none') return null;
      const payoutId = `po_${randomUUID()}`;
      const requestedAt = new Date().toISOString();
      const event = payoutEvents.requested({ payoutId, aui: commission.aui, unit: commission.unit, amount: decision.amount.toFixed(), method: decision.fulfiller }, requestedAt);
      const delivery = { payoutId, idempotencyKey: JSON.stringify(['reward', commission.commissionId, observation.observationId]), commission, amount: decision.amount, fulfiller: decision.fulfiller };
      return (await this.rewards.insertDelivery(manager, delivery, requestedAt, event)) ? decision.fulfiller : null;
    });
    if (decided === null) return false;
    this.logger.info({ commissionId: observation.commissionId, unit: observation.unit, fulfiller: decided }, 'reward approved: delivery requested');
    this.onDelivered(observation.unit, decided);
    return true;
  }
}
