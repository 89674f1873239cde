import { Decimal, flaggedHeldOf, OrderWithholding, spendableOf, withheldOf, WithheldHolds, WithheldReason } from '@earnings/domain';

export type WithheldReasonKind = 'PENDING_RETURN' | 'PAYOUT_IN_FLIGHT' | 'PAYOUT_IN_REVIEW' | 'COMMISSION_UNDER_REVIEW' | 'COMMISSION_REJECTED' | 'UNCOLLECTED';

/** One reason money is held back, as GraphQL's WithheldReason shows it. */
export interface WithheldReasonView {
  reason: WithheldReasonKind;
  amount: string;
  explanation: string;
  source: string | null;
  merchantId: string | null;
  merchantOrderId: string | null;
  /** For a commission a fraud check flagged: its id (with `source`). */
  commissionId: string | null;
}

export interface WithheldView {
  total: string;
  reasons: WithheldReasonView[];
}

/** A balance's figures as the ledger publishes them (ledger.balance), decimal strings. */
export interface LedgerBalanceFigures {
  payable: string;
  paidOut: string;
  reserved: string;
  pendingReversals: string;
}

/**
 * What the next payout run would pay, and why the rest is held back: the payout rule's own
 * spendableOf (libs/domain) over the ledger's figures, what the payout service has committed and
 * what it holds (its published views payout_commitment and payout_commission_hold), so the page
 * and the run never disagree.
 */
export function spendableBalanceOf(
  figures: LedgerBalanceFigures, committed: string, orders: readonly OrderWithholding[], holds: WithheldHolds = { inReview: new Decimal(0), flagged: [] },
): { spendable: string; shortfall: string; withheld: WithheldView } {
  const ledger = {
    payable: new Decimal(figures.payable), paidOut: new Decimal(figures.paidOut), reserved: new Decimal(figures.reserved), pendingReversals: new Decimal(figures.pendingReversals),
  };
  const committedByPayoutService = new Decimal(committed);
  const withheld = withheldOf(ledger, committedByPayoutService, orders, holds);
  // spendable = max(0, payable - paid out - held back): below zero, what later earnings make up before anything is spendable.
  const heldBack = withheld.reasons.filter((reason) => reason.reason !== 'uncollected').reduce((sum, reason) => sum.plus(reason.amount), new Decimal(0));
  const shortfall = Decimal.max(0, heldBack.minus(ledger.payable.minus(ledger.paidOut)));
  return {
    spendable: spendableOf(ledger, committedByPayoutService, flaggedHeldOf(holds.flagged)).toFixed(),
    shortfall: shortfall.toFixed(),
    withheld: { total: withheld.total.toFixed(), reasons: withheld.reasons.map(reasonView) },
  };
}

function reasonView(reason: WithheldReason): WithheldReasonView {
  const none = { source: null, merchantId: null, merchantOrderId: null, commissionId: null };
  switch (reason.reason) {
    case 'pending-return':
      return {
        reason: 'PENDING_RETURN', amount: reason.amount.toFixed(), source: reason.source, merchantId: reason.merchantId, merchantOrderId: reason.merchantOrderId, commissionId: null,
        explanation: reason.merchantOrderId === null
          ? 'A return that is not settled yet: held back until it settles, so a payout never pays money the return takes back.'
          : `A return on order ${reason.merchantOrderId} that is not settled yet: held back, up to what the order made payable, until it settles.`,
      };
    case 'payout-in-flight':
      return { reason: 'PAYOUT_IN_FLIGHT', amount: reason.amount.toFixed(), ...none, explanation: 'A payout on its way to you.' };
    case 'payout-in-review':
      return { reason: 'PAYOUT_IN_REVIEW', amount: reason.amount.toFixed(), ...none, explanation: 'A payout being reviewed by the programme before it is sent to you.' };
    case 'commission-under-review':
      return {
        reason: 'COMMISSION_UNDER_REVIEW', amount: reason.amount.toFixed(), ...none, source: reason.source, commissionId: reason.commissionId,
        explanation: `Commission ${reason.commissionId} is being reviewed by the programme's fraud checks: it counts in your lifetime earnings and is paid once cleared.`,
      };
    case 'commission-rejected':
      return {
        reason: 'COMMISSION_REJECTED', amount: reason.amount.toFixed(), ...none, source: reason.source, commissionId: reason.commissionId,
        explanation: `Commission ${reason.commissionId} was rejected in the programme's fraud review: it is not paid out.`,
      };
    case 'uncollected':
      return { reason: 'UNCOLLECTED', amount: reason.amount.toFixed(), ...none, explanation: 'Paid out before a return, a rejection or a correction took it back: later earnings make it up first.' };
    default: {
      const unreachable: never = reason;
      throw new Error(`unknown withheld reason ${JSON.stringify(unreachable)}`);
    }
  }
}
