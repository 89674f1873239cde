export * from './wildfire-types';
export * from './wildfire-callback';
export * from './wildfire-commission';
export { wildfireStateOf, WildfireStatuses, type WildfireStatus } from './wildfire-status';
export { FULL_USER_SHARE, assertUserSharePolicy, userShareFor } from './user-share';
export { wildfireObservationId, type ObservationIdFields } from './observation-id';
export { parseExactJson, isJsonNumber, ExactJsonSyntaxError, type JsonNumber } from './exact-json';
export { WildfireMetadataFields, type WildfireMetadataField, type FieldCleaning, type FieldCleaningChange } from './wildfire-metadata';
export { readWildfireMerchant, merchantIdsToLookUp, merchantIdPattern, type WildfireMerchant } from './wildfire-merchant';
