export * from './types';
export * from './errors';
export { FirstPromoterApiClient } from './client';
export type { CommissionAction as FirstPromoterCommissionAction } from './client';
