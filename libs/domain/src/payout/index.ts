export * from './payout-policy';
export * from './decide-payout';
export * from './payout-state';
export * from './spendable';
export * from './withheld';
export * from './cash-coverage';
