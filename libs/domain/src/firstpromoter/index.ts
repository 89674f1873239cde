export * from './context';
export {
  FirstPromoterRewardUnits,
  FirstPromoterCommissionStatuses,
  stateForStatus as firstPromoterStateForStatus,
} from './rewards';
export type { FirstPromoterRewardUnit, FirstPromoterCommissionStatus } from './rewards';
export { firstPromoterObservationId } from './observation';
export type { FirstPromoterReading } from './observation';
export { normaliseFirstPromoterCommission } from './commission';
export type { FirstPromoterCommissionChannel, FirstPromoterCommissionContext, FirstPromoterCommissionReading } from './commission';
export * from './webhook-v2';
export * from './legacy-fulfilment';
export { redactFirstPromoterBody, redactFirstPromoterJson } from './redaction';
export { rewardedPartyOf } from './rewards';
export * from './promoter-directory';
export * from './version-order';
export * from './owner';
export * from './approval';
export * from './commission-memory';
