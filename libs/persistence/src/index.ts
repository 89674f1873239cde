export * from './data-source';
export * from './projection-schema';
