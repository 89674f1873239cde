export * from './signatures/hmac-signature';
export * from './firstpromoter';
