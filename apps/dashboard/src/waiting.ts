import { addDays, typicalReturnWindowDays } from './dates';
import { WaitingTransaction } from './graphql/types';

export interface ExpectedDate {
  at: string;
  /** True when the source said it (a locking date); false for the typical return window's estimate. */
  fromLockingDate: boolean;
}

/**
 * When the last of these pending commissions should stop waiting: the source's locking date where
 * it sent one, else the purchase date plus a store's typical return window (an estimate). A
 * referral program's approval has no such date.
 */
export function expectedSettlement(transactions: readonly WaitingTransaction[]): ExpectedDate | null {
  let latest: ExpectedDate | null = null;
  for (const transaction of transactions) {
    const candidate: ExpectedDate | null = transaction.lockingDate
      ? { at: transaction.lockingDate, fromLockingDate: true }
      : transaction.eventDate && transaction.source !== 'firstpromoter'
        ? { at: addDays(transaction.eventDate, typicalReturnWindowDays), fromLockingDate: false }
        : null;
    if (candidate && (latest === null || Date.parse(candidate.at) > Date.parse(latest.at))) latest = candidate;
  }
  return latest;
}
