export * from './data-source';
export * from './projection-schema';
export * from './copy-text';
