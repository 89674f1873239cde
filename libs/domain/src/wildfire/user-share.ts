import { Decimal } from '../money/decimal';
import { UserSharePolicy } from './wildfire-types';

/** The default policy: the user earns the whole application split, in every application. */
export const FULL_USER_SHARE: UserSharePolicy = Object.freeze({
  defaultShare: new Decimal(1),
  byApplicationId: new Map<string, Decimal>(),
});

/**
 * Throws a RangeError when a share is outside [0, 1]. A bad share is a configuration error, not a
 * bad record: call this when loading configuration; the normaliser calls it too, so a wrong share
 * fails loudly instead of silently paying users more than the partner earned.
 */
export function assertUserSharePolicy(policy: UserSharePolicy): void {
  assertShare(policy.defaultShare, 'defaultShare');
  for (const [applicationId, share] of policy.byApplicationId) assertShare(share, `byApplicationId[${applicationId}]`);
}

/**
 * At most 12 fractional digits, like any amount: a user amount (an amount times the share) then has
 * at most 24, which the event schema allows, and is never rounded.
 */
const shareFractionDigitsMax = 12;

function assertShare(share: Decimal, name: string): void {
  if (!Decimal.isDecimal(share) || !share.isFinite() || share.lessThan(0) || share.greaterThan(1) || share.decimalPlaces() > shareFractionDigitsMax) {
    throw new RangeError(`user share ${name} must be a Decimal between 0 and 1 with at most ${shareFractionDigitsMax} fractional digits`);
  }
}

/** The share configured for the record's application, else the default. */
export function userShareFor(policy: UserSharePolicy, applicationId: string | null): Decimal {
  const specific = applicationId === null ? undefined : policy.byApplicationId.get(applicationId);
  return specific ?? policy.defaultShare;
}
