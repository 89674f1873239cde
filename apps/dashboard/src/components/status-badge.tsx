import { CommissionState, PayoutState } from '../graphql/types';

const commissionLabels: Record<CommissionState, string> = {
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  READY: 'Ready',
  PAYABLE: 'Available',
  REJECTED: 'Not eligible',
};

const payoutLabels: Record<PayoutState, string> = {
  requested: 'Requested',
  submitted: 'On its way',
  succeeded: 'Paid',
  failed: 'Failed',
  returned: 'Returned',
};

export const commissionLabel = (state: CommissionState): string => commissionLabels[state];

export function CommissionBadge({ state }: { state: CommissionState }) {
  return <span className={`badge badge-${state.toLowerCase()}`}>{commissionLabels[state]}</span>;
}

export function PayoutBadge({ state }: { state: PayoutState }) {
  return <span className={`badge badge-payout-${state}`}>{payoutLabels[state] ?? state}</span>;
}
