export * from './commission-key';
export * from './ledger-payout';
export * from './payout-allocation';
export * from './ledger-event';
