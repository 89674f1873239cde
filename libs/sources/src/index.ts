export * from './signatures/hmac-signature';
export * from './firstpromoter';
export * from './wildfire/commission-api-client';
export * from './retry/backoff';
export * from './wildfire/wfav1';
