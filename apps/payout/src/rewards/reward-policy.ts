import { FirstPromoterRewardUnits, fractionDigitsOf, isCurrencyUnit, parseRewardFulfillers, PayoutPolicy, percentageDiscountUnit, RewardDeliveryPolicy } from '@earnings/domain';
import { PayoutConfig } from '../payout.config';

/** The fulfillers this service has; a partner adds one by adding a provider under a new name. */
export const rewardFulfillers = ['ledger_credit', 'http_webhook', 'none'] as const;

/** Every reward unit by PAYOUT_REWARD_FULFILLER, then PAYOUT_REWARD_FULFILLERS per unit; checked at start-up. */
export function rewardPolicyOf(config: PayoutConfig, policy: PayoutPolicy): RewardDeliveryPolicy {
  const overrides = parseRewardFulfillers(config.PAYOUT_REWARD_FULFILLERS, rewardFulfillers);
  if (typeof overrides === 'string') throw new Error(`PAYOUT_REWARD_FULFILLERS: ${overrides}`);
  if (policy.thresholds.has(percentageDiscountUnit)) throw new Error(`PAYOUT_THRESHOLDS: ${percentageDiscountUnit} is a percentage: each is a grant, never summed into a payout amount`);
  const fulfillerByUnit = new Map<string, string>();
  for (const unit of FirstPromoterRewardUnits) if (!isCurrencyUnit(unit) && unit !== 'cash') fulfillerByUnit.set(unit, config.PAYOUT_REWARD_FULFILLER);
  for (const [unit, fulfiller] of overrides) fulfillerByUnit.set(unit, fulfiller);
  for (const [unit, fulfiller] of fulfillerByUnit) if (fulfiller === 'none') fulfillerByUnit.delete(unit);
  const unitsPaidByRun = new Set([...policy.thresholds.keys()].filter((unit) => !isCurrencyUnit(unit)));
  return { fulfillerByUnit, unitsPaidByRun, auiPrefix: config.PAYOUT_AUI_PREFIX, fractionDigitsOf: (unit) => fractionDigitsOf(unit, policy) };
}
