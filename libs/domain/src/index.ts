export * from './time/source-timestamp';
export * from './money/decimal';
export * from './wildfire';
export * from './firstpromoter';
export * from './ledger';
export * from './payout';
export * from './input-rules';
export * from './rewards';
