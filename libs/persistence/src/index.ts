export * from './data-source';
export * from './projection-schema';
export * from './copy-text';
export * from './array-literal';
export * from './ledger-rule';
export * from './returned-rows';
export * from './flagged-commissions';
export * from './advisory-lock';
