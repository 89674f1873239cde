export * from './topics';
export * from './commission-state';
export * from './commission-observed';
export * from './balance-changed';
export * from './payout-executed';
export * from './payout-failed';
export * from './cloud-events';
export * from './validation';
