export * from './time/source-timestamp';
export * from './money/decimal';
