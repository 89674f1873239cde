// Kafka is reached only through this library: nothing it exports names a kafkajs type, so an app
// or tool holds a KafkaClient and hands it back here (the lint rule keeps kafkajs itself out of apps/ and tools/).
export { KafkaClient } from './client-handle';
export { createKafka, KafkaConnection, singleAttemptClientOf } from './kafka-client';
export * from './messages';
export * from './kafka-security';
export * from './batching-producer';
export * from './topics-admin';
export * from './topic-reconciliation';
export { OutboxMessage } from './outbox';
export * from './outbox-relay';
export { DeadLetter } from './dead-letter';
export * from './topic-offsets';
export { ConsumerHealthReport } from './consumer-health';
export * from './consumer-lag';
export * from './consumer-runner';
export * from './sender-context';
export * from './produce-duration';
export * from './message-sender';
