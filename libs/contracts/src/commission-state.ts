/**
 * Where a commission stands, the same words for every source.
 * PENDING/CONFIRMED/READY count as pending, PAYABLE is eligible for payout, REJECTED counts nowhere.
 */
export const CommissionStates = ['PENDING', 'CONFIRMED', 'READY', 'PAYABLE', 'REJECTED'] as const;
export type CommissionState = (typeof CommissionStates)[number];
