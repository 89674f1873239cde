import { CommissionState, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { Decimal } from '../money/decimal';
import { isCurrencyUnit } from '../payout/payout-policy';

/**
 * How a non-monetary reward (credits, points, free months, discounts) reaches its user: one
 * delivery per approved commission, decided when its approved version arrives, by the fulfiller
 * configured for its unit. Cash is not here: it goes by the payout run (decidePayout).
 */
export interface RewardCommission {
  commissionId: string;
  aui: string;
  unit: string;
  amount: Decimal;
  state: CommissionState;
  /** A fraud check flagged it and no operator cleared it (held, or rejected): never delivered. */
  flagged?: boolean;
}

export interface RewardDeliveryPolicy {
  /** Unit to the fulfiller that delivers it (`ledger_credit`, `http_webhook`, or one the partner adds). */
  fulfillerByUnit: ReadonlyMap<string, string>;
  /** Reward units the partner pays by threshold with the payout run instead (listed in PAYOUT_THRESHOLDS). */
  unitsPaidByRun: ReadonlySet<string>;
  /** Only these users are served by this deployment (PAYOUT_AUI_PREFIX). */
  auiPrefix: string;
  /** Fractional digits a delivery of the unit carries (0 for rewards unless configured): the rest waits, never rounded up. */
  fractionDigitsOf: (unit: string) => number;
}

export type NoRewardDeliveryReason =
  | 'not-a-reward'
  | 'not-approved'
  | 'unattributed'
  | 'other-deployment'
  | 'unit-not-delivered'
  | 'paid-by-run'
  | 'delivered'
  | 'grant-delivered'
  | 'fraud-review';

export type RewardDeliveryDecision =
  | { kind: 'deliver'; amount: Decimal; fulfiller: string }
  | { kind: 'none'; reason: NoRewardDeliveryReason };

/** Percentage discounts are grants: each is delivered whole, once, and never added to another. */
export const percentageDiscountUnit = 'discount_per';

/**
 * What to deliver now for one commission, given what its earlier deliveries (requested, at the
 * fulfiller, or delivered and not reversed) already gave. A reversed delivery no longer counts,
 * so the next approved version delivers again.
 */
export function decideRewardDelivery(commission: RewardCommission, deliveredAmount: Decimal, policy: RewardDeliveryPolicy): RewardDeliveryDecision {
  if (isCurrencyUnit(commission.unit)) return none('not-a-reward');
  if (commission.state !== 'PAYABLE') return none('not-approved');
  if (commission.aui === UNATTRIBUTED_AUI) return none('unattributed');
  if (commission.flagged === true) return none('fraud-review');
  if (!commission.aui.startsWith(policy.auiPrefix)) return none('other-deployment');
  if (policy.unitsPaidByRun.has(commission.unit)) return none('paid-by-run');
  const fulfiller = policy.fulfillerByUnit.get(commission.unit);
  if (fulfiller === undefined) return none('unit-not-delivered');
  if (commission.unit === percentageDiscountUnit) {
    return deliveredAmount.isZero() && commission.amount.gt(0) ? { kind: 'deliver', amount: commission.amount, fulfiller } : none('grant-delivered');
  }
  const owed = commission.amount.minus(deliveredAmount).toDecimalPlaces(policy.fractionDigitsOf(commission.unit), Decimal.ROUND_DOWN);
  return owed.gt(0) ? { kind: 'deliver', amount: owed, fulfiller } : none('delivered');
}

const none = (reason: NoRewardDeliveryReason): RewardDeliveryDecision => ({ kind: 'none', reason });

/** "credits:ledger_credit,points:http_webhook" to a map, or the problem with the text. */
export function parseRewardFulfillers(text: string, fulfillers: readonly string[]): Map<string, string> | string {
  const map = new Map<string, string>();
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [unit, fulfiller, extra] = entry.split(':');
    if (extra !== undefined || !unit || !fulfiller) return `"${entry}" is not unit:fulfiller`;
    if (isCurrencyUnit(unit)) return `${unit} is a currency: cash goes by the payout run`;
    if (!fulfillers.includes(fulfiller)) return `${fulfiller} is not one of ${fulfillers.join(', ')}`;
    map.set(unit, fulfiller);
  }
  return map;
}
