import type { CommissionState } from '@earnings/contracts';

/** The documented Wildfire statuses (`confirmed` exists from v4 on). */
export const WildfireStatuses = ['pending', 'confirmed', 'ready', 'paid', 'disqualified'] as const;
export type WildfireStatus = (typeof WildfireStatuses)[number];

function isWildfireStatus(status: string): status is WildfireStatus {
  return (WildfireStatuses as readonly string[]).includes(status);
}

/** The shared state of a Wildfire status word, ignoring case and surrounding blanks; null when unknown. */
export function wildfireStateOf(status: string): CommissionState | null {
  const word = status.trim().toLowerCase();
  return isWildfireStatus(word) ? stateOfStatus(word) : null;
}

function stateOfStatus(status: WildfireStatus): CommissionState {
  switch (status) {
    case 'pending':
      return 'PENDING';
    case 'confirmed':
      return 'CONFIRMED';
    case 'ready':
      return 'READY';
    // Only `paid` means money reached the partner, so only it is eligible for user payout.
    case 'paid':
      return 'PAYABLE';
    case 'disqualified':
      return 'REJECTED';
    default:
      return unreachable(status);
  }
}

/** Makes a switch over a union fail to compile when a member is added and not handled. */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
