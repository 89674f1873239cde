import { BalanceFigures, isZeroFigures, subtractFigures, zeroFigures } from './balance-figures';
import { CommissionVersion, contributionOf } from './commission-version';
import { LedgerPayout } from '@earnings/domain';
import { payoutContributionOf } from './payout-records';

/** A change to one (aui, unit) balance, before it is merged with others. */
export interface BalanceChange {
  aui: string;
  unit: string;
  delta: BalanceFigures;
}

/**
 * What replacing a commission's latest version does to balances. The old version's contribution
 * leaves the (aui, unit) it was in, the new one enters its own: a newer version may move the
 * commission to another user or unit. Zero changes are left out.
 */
export function changesOfNewVersion(previous: CommissionVersion | undefined, next: CommissionVersion): BalanceChange[] {
  const entering = contributionOf(next);
  const leaving = previous === undefined ? zeroFigures : contributionOf(previous);
  const sameBalance = previous !== undefined && previous.aui === next.aui && previous.unit === next.unit;
  const changes: BalanceChange[] = sameBalance
    ? [{ aui: next.aui, unit: next.unit, delta: subtractFigures(entering, leaving) }]
    : [
        { aui: previous?.aui ?? next.aui, unit: previous?.unit ?? next.unit, delta: subtractFigures(zeroFigures, leaving) },
        { aui: next.aui, unit: next.unit, delta: entering },
      ];
  return changes.filter((change) => !isZeroFigures(change.delta));
}

/** What moving a payout from its stored record to the next one does to its balance (one payout never changes user or unit). */
export function changesOfPayout(previous: LedgerPayout | undefined, next: LedgerPayout): BalanceChange[] {
  const delta = subtractFigures(payoutContributionOf(next), previous === undefined ? zeroFigures : payoutContributionOf(previous));
  return isZeroFigures(delta) ? [] : [{ aui: next.aui, unit: next.unit, delta }];
}
