import { PayoutExecuted } from '@earnings/contracts';
import { addToBalance, BalanceEntry } from './balance-figures';
import { commissionKeyOf, CommissionVersion, contributionOf } from './commission-version';
import { payoutContributionOf } from './payout-contribution';

/**
 * Balances computed from scratch: the sum of every latest version's contribution plus every
 * distinct payout. Brute force on purpose, to check evolve, planBatch and the stored rows against.
 */
export function recomputeBalances(latestVersions: Iterable<CommissionVersion>, payouts: Iterable<PayoutExecuted>): Map<string, BalanceEntry> {
  const balances = new Map<string, BalanceEntry>();
  const commissionKeys = new Set<string>();
  for (const version of latestVersions) {
    const key = commissionKeyOf(version);
    // Two versions of one commission would count it twice: the caller passed more than the latest.
    if (commissionKeys.has(key)) throw new Error(`more than one version of commission ${key}`);
    commissionKeys.add(key);
    addToBalance(balances, version.aui, version.unit, contributionOf(version));
  }
  const payoutIds = new Set<string>();
  for (const payout of payouts) {
    if (payoutIds.has(payout.payoutId)) continue;
    payoutIds.add(payout.payoutId);
    addToBalance(balances, payout.aui, payout.unit, payoutContributionOf(payout));
  }
  return balances;
}
