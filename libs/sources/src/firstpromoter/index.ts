export * from './types';
export * from './errors';
export { FirstPromoterApiClient } from './client';
