import type { CommissionState } from '@earnings/contracts';

/**
 * What a commission's state means to the person who earned it, in plain words. FirstPromoter is
 * a referral program, not a store, so its commissions wait on the program's own approval.
 */
export function statusExplanation(state: CommissionState, source: string): string {
  const referral = source === 'firstpromoter';
  switch (state) {
    case 'PENDING':
      return referral
        ? 'Pending: the referral program is waiting out its refund period before approving this reward.'
        : "Pending: the store is waiting for its return window to close, usually 30 days or more (for travel, until after the trip).";
    case 'CONFIRMED':
      return referral
        ? 'Confirmed: the referral program approved this reward; it becomes available once the program pays it.'
        : 'Confirmed: the store confirmed the purchase; the network will pay it out once the store pays the network.';
    case 'READY':
      return referral
        ? 'Ready: the reward is approved and will be available in the next payout cycle.'
        : 'Ready: the store has paid the network; it becomes available to you in the next monthly payment cycle.';
    case 'PAYABLE':
      return 'Payable: this amount is available for you to withdraw.';
    case 'REJECTED':
      return referral
        ? 'Rejected: this referral is not eligible for a reward (for example, it was refunded or cancelled).'
        : 'Rejected: this purchase is not eligible for cash back (for example, the order was returned or cancelled).';
    default: {
      const unreachable: never = state;
      throw new Error(`unknown commission state ${String(unreachable)}`);
    }
  }
}
