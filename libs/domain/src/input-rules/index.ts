export * from './identifiers';
export * from './amounts';
export * from './timestamps';
export * from './currency';
export * from './display-text';
