export * from './identifiers';
export * from './amounts';
export * from './timestamps';
export * from './currency';
