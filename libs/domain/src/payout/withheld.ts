import { Decimal, ZERO } from '../money/decimal';
import { FlaggedCommission, LedgerFiguresForPayout } from './spendable';

/** What one merchant order withholds for its returns not settled yet, as the ledger publishes it (ledger.order_withholding). */
export interface OrderWithholding {
  source: string;
  merchantId: string | null;
  merchantOrderId: string;
  /** 0 or less: the order's share of the balance's pending reversals. */
  withheld: Decimal;
}

/**
 * Why money the user earned is not in spendable, each reason with the amount it holds back
 * (positive). Readers show a reason they do not know by its amount.
 */
export type WithheldReason =
  /** A return not settled yet: of a merchant order (only up to what the order made payable), or naming no order (in full). */
  | { reason: 'pending-return'; amount: Decimal; source: string | null; merchantId: string | null; merchantOrderId: string | null }
  /** Payouts requested or at the provider: on their way to the user. */
  | { reason: 'payout-in-flight'; amount: Decimal }
  /** Payouts the partner reviews before they leave (PAYOUT_REVIEW): held until an operator approves or rejects them. */
  | { reason: 'payout-in-review'; amount: Decimal }
  /** A commission a fraud check flagged: under review until an operator clears it, or rejected for good. */
  | { reason: 'commission-under-review' | 'commission-rejected'; amount: Decimal; source: string; commissionId: string }
  /** Paid out beyond what is payable today (a return, rejection or move after a payout): later earnings make it up first. */
  | { reason: 'uncollected'; amount: Decimal };

export interface Withheld {
  total: Decimal;
  reasons: WithheldReason[];
}

/**
 * What spendableOf holds back, by reason: spendable = max(0, payable - flagged - paidOut - in flight
 * (in review or on its way) - pending returns), and when paid out exceeds payable the difference is uncollected. `orders` are the
 * balance's merchant orders holding a return; what the pending reversals hold beyond them are
 * returns naming no order.
 */
export interface WithheldHolds {
  /** Of the payouts in flight, what waits for the partner's review. */
  inReview: Decimal;
  flagged: readonly FlaggedCommission[];
}

export function withheldOf(ledger: LedgerFiguresForPayout, committedByPayoutService: Decimal, orders: readonly OrderWithholding[], holds: WithheldHolds = { inReview: ZERO, flagged: [] }): Withheld {
  const reasons: WithheldReason[] = [];
  for (const commission of holds.flagged) {
    if (!commission.payable.gt(0)) continue;
    reasons.push({ reason: commission.decision === 'held' ? 'commission-under-review' : 'commission-rejected', amount: commission.payable, source: commission.source, commissionId: commission.commissionId });
  }
  const pendingReturns = Decimal.max(ZERO, ledger.pendingReversals.negated());
  let ofOrders = ZERO;
  for (const order of orders) {
    if (!order.withheld.isNegative()) continue;
    reasons.push({ reason: 'pending-return', amount: order.withheld.negated(), source: order.source, merchantId: order.merchantId, merchantOrderId: order.merchantOrderId });
    ofOrders = ofOrders.minus(order.withheld);
  }
  const withoutOrder = pendingReturns.minus(ofOrders);
  if (withoutOrder.gt(0)) reasons.push({ reason: 'pending-return', amount: withoutOrder, source: null, merchantId: null, merchantOrderId: null });
  // The larger account of what is on its way: the ledger's holds, or this service's payouts the ledger has not heard of yet.
  const inFlight = Decimal.max(ZERO, ledger.reserved, committedByPayoutService.minus(ledger.paidOut));
  const inReview = Decimal.min(inFlight, Decimal.max(ZERO, holds.inReview));
  if (inReview.gt(0)) reasons.push({ reason: 'payout-in-review', amount: inReview });
  if (inFlight.gt(inReview)) reasons.push({ reason: 'payout-in-flight', amount: inFlight.minus(inReview) });
  const uncollected = Decimal.max(ZERO, ledger.paidOut.minus(ledger.payable));
  if (uncollected.gt(0)) reasons.push({ reason: 'uncollected', amount: uncollected });
  return { total: reasons.reduce((sum, reason) => sum.plus(reason.amount), ZERO), reasons };
}
