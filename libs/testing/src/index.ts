export * from './fixtures';
export * from './ledger-oracle';
