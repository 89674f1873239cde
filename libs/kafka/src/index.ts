export * from './kafka-client';
export * from './batching-producer';
export * from './topics-admin';
export * from './outbox';
export * from './dead-letter';
export * from './topic-offsets';
export * from './consumer-health';
export * from './consumer-lag';
