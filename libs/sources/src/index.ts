export * from './signatures/hmac-signature';
export * from './firstpromoter';
export * from './wildfire/commission-api-client';
export * from './wildfire/wfav1';
export * from './wildfire/wildfire-http';
export * from './wildfire/merchant-api-client';
