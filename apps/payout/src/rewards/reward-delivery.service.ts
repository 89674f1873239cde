import { randomUUID } from 'node:crypto';
import { CommissionObserved } from '@earnings/contracts';
import { Decimal, decideRewardDelivery, isCurrencyUnit, RewardCommission, RewardDeliveryPolicy } from '@earnings/domain';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { CommissionFlagRepository } from '../holds/commission-flag.repository';
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
    private readonly flags: CommissionFlagRepository,
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
    return this.decide(observation.commissionId, async (manager) => {
      if (!(await this.rewards.applyVersion(manager, observation))) return null;
      return { commissionId: observation.commissionId, aui: observation.aui, unit: observation.unit, amount: new Decimal(observation.userAmount), state: observation.state };
    }, observation.observationId);
  }

  /** After an operator cleared a flagged reward commission: delivers what its stored version owes, as its approval would have. */
  async afterCleared(commissionId: string): Promise<boolean> {
    return this.decide(commissionId, (manager) => this.rewards.storedCommission(manager, commissionId), 'cleared');
  }

  private async decide(commissionId: string, read: (manager: EntityManager) => Promise<Omit<RewardCommission, 'flagged'> | null>, version: string): Promise<boolean> {
    const decided = await this.dataSource.transaction(async (manager) => {
      await this.rewards.lockCommission(manager, commissionId);
      const stored = await read(manager);
      if (stored === null) return null;
      const commission: RewardCommission = { ...stored, flagged: await this.flags.isHeld(manager, 'firstpromoter', commissionId) };
      const decision = decideRewardDelivery(commission, await this.rewards.deliveredAmount(manager, commission), this.policy);
      if (decision.kind === 'none') return null;
      const payoutId = `po_${randomUUID()}`;
      const requestedAt = new Date().toISOString();
      const event = payoutEvents.requested({ payoutId, aui: commission.aui, unit: commission.unit, amount: decision.amount.toFixed(), method: decision.fulfiller }, requestedAt);
      const delivery = { payoutId, idempotencyKey: JSON.stringify(['reward', commission.commissionId, version]), commission, amount: decision.amount, fulfiller: decision.fulfiller };
      return (await this.rewards.insertDelivery(manager, delivery, requestedAt, event)) ? { unit: commission.unit, fulfiller: decision.fulfiller } : null;
    });
    if (decided === null) return false;
    this.logger.info({ commissionId, unit: decided.unit, fulfiller: decided.fulfiller }, 'reward approved: delivery requested');
    this.onDelivered(decided.unit, decided.fulfiller);
    return true;
  }
}
