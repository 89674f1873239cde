export * from './signatures/hmac-signature';
