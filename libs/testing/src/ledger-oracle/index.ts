/**
 * The ledger's rule as a plain TypeScript fold: the oracle the production rule (PostgreSQL
 * functions, libs/persistence LedgerRule migration) is checked against in the tests. Never used
 * by a service.
 */
export * from './balance-figures';
export * from './commission-version';
export * from './payout-records';
export * from './ledger-state';
export * from './evolve';
export * from './recompute-balances';
