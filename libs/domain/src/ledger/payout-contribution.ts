import { PayoutExecuted } from '@earnings/contracts';
import { parseDecimal } from '../money/decimal';
import { BalanceFigures, figuresWith } from './balance-figures';

/** What an executed payout adds to its (aui, unit): the amount, as paid out. */
export function payoutContributionOf(payout: PayoutExecuted): BalanceFigures {
  const amount = parseDecimal(payout.amount);
  // The schema allows only non-negative decimals: anything else is a programmer error upstream.
  if (amount === null || amount.isNegative()) {
    throw new RangeError(`payout ${payout.payoutId} has an amount that is not a non-negative decimal`);
  }
  return figuresWith('paidOut', amount);
}
