import { addToBalance, BalanceEntry } from './balance-figures';
import { commissionKeyOf, CommissionVersion, contributionOf } from './commission-version';
import { PayoutEvent } from '@earnings/domain';
import { payoutContributionOf, payoutRecordsOf } from './payout-records';

/**
 * Balances computed from scratch: the sum of every latest version's contribution plus every
 * payout's, folded from all its events. Brute force on purpose, to check evolve, planBatch and
 * the stored rows against.
 */
export function recomputeBalances(latestVersions: Iterable<CommissionVersion>, payoutEvents: Iterable<PayoutEvent>): Map<string, BalanceEntry> {
  const balances = new Map<string, BalanceEntry>();
  const commissionKeys = new Set<string>();
  for (const version of latestVersions) {
    const key = commissionKeyOf(version);
    // Two versions of one commission would count it twice: the caller passed more than the latest.
    if (commissionKeys.has(key)) throw new Error(`more than one version of commission ${key}`);
    commissionKeys.add(key);
    addToBalance(balances, version.aui, version.unit, contributionOf(version));
  }
  for (const payout of payoutRecordsOf(payoutEvents).values()) addToBalance(balances, payout.aui, payout.unit, payoutContributionOf(payout));
  return balances;
}
