import { BalanceEntry } from './balance-figures';
import { CommissionVersion } from './commission-version';
import { LedgerPayout } from '@earnings/domain';

/**
 * The whole ledger as a value. Balances hold no entry whose figures are all zero: a missing
 * entry reads as zero (`balanceOf`), and the state is then the same whatever path led to it.
 */
export interface LedgerState {
  /** The latest version of every commission, by commissionKey. */
  commissions: ReadonlyMap<string, CommissionVersion>;
  /** By balanceKey. */
  balances: ReadonlyMap<string, BalanceEntry>;
  /** Every payout the payout service announced, by payout id. */
  payouts: ReadonlyMap<string, LedgerPayout>;
  /** Observations and payout events that arrived again or late and changed nothing. */
  duplicateCount: number;
}

export const initialLedgerState: LedgerState = Object.freeze({
  commissions: new Map<string, CommissionVersion>(),
  balances: new Map<string, BalanceEntry>(),
  payouts: new Map<string, LedgerPayout>(),
  duplicateCount: 0,
});
