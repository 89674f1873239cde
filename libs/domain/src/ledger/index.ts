export * from './commission-key';
export * from './ledger-payout';
export * from './payout-coverage';
export * from './ledger-event';
