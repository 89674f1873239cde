export * from './balance-figures';
export * from './commission-version';
export * from './payout-contribution';
export * from './balance-changes';
export * from './ledger-state';
export * from './evolve';
export * from './plan-batch';
export * from './recompute-balances';
