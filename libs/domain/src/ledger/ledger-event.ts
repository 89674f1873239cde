import { CommissionObserved } from '@earnings/contracts';
import { PayoutEvent } from './ledger-payout';

/** Everything the ledger applies: what sources said about commissions, and what the payout service did. */
export type LedgerEvent = CommissionObserved | PayoutEvent;
