export * from './kafka-client';
export * from './kafka-security';
export * from './batching-producer';
export * from './topics-admin';
export * from './topic-reconciliation';
export * from './outbox';
export * from './outbox-relay';
export * from './dead-letter';
export * from './topic-offsets';
export * from './consumer-health';
export * from './consumer-lag';
export * from './consumer-factory';
export * from './message-consumer';
export * from './sender-context';

// The kafkajs types and values apps need, so that apps reach Kafka only through this library.
// Kafka is a value too: the NestJS modules use its class as the injection token.
export type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage, Message, Producer, TopicMessages } from 'kafkajs';
export { Kafka, logLevel } from 'kafkajs';
