import { LedgerPayout, PayoutEvent } from '@earnings/domain';
import { addToBalance, BalanceEntry, figuresWith } from './balance-figures';
import { commissionKeyOf, CommissionVersion, contributionOf, orderWithheldOf } from './commission-version';
import { payoutContributionOf, payoutRecordsOf } from './payout-records';

/**
 * Balances computed from scratch: every latest version's own contribution, what each merchant
 * order withholds for its pending returns, and every payout record's contribution. Brute force on
 * purpose: the oracle the ledger's rule in PostgreSQL is checked against.
 */
export function balancesOf(latestVersions: Iterable<CommissionVersion>, payouts: Iterable<LedgerPayout>): Map<string, BalanceEntry> {
  const balances = new Map<string, BalanceEntry>();
  const commissionKeys = new Set<string>();
  const orders = new Map<string, { aui: string; unit: string; versions: CommissionVersion[] }>();
  for (const version of latestVersions) {
    const key = commissionKeyOf(version);
    // Two versions of one commission would count it twice: the caller passed more than the latest.
    if (commissionKeys.has(key)) throw new Error(`more than one version of commission ${key}`);
    commissionKeys.add(key);
    addToBalance(balances, version.aui, version.unit, contributionOf(version));
    if (version.orderKey === null) continue;
    const orderKey = JSON.stringify([version.aui, version.unit, version.orderKey]);
    const order = orders.get(orderKey) ?? { aui: version.aui, unit: version.unit, versions: [] };
    order.versions.push(version);
    orders.set(orderKey, order);
  }
  for (const order of orders.values()) addToBalance(balances, order.aui, order.unit, figuresWith('pendingReversals', orderWithheldOf(order.versions)));
  for (const payout of payouts) addToBalance(balances, payout.aui, payout.unit, payoutContributionOf(payout));
  return balances;
}

/** balancesOf the latest versions and the payout records the events fold into. */
export function recomputeBalances(latestVersions: Iterable<CommissionVersion>, payoutEvents: Iterable<PayoutEvent>): Map<string, BalanceEntry> {
  return balancesOf(latestVersions, payoutRecordsOf(payoutEvents).values());
}
