import type { Producer } from 'kafkajs';
import { KafkaClient } from './client-handle';
import { createIdempotentProducer } from './kafka-client';
import { TopicMessages } from './messages';

/**
 * Sends messages with the one producer configuration (idempotent, acks=all, the Java client's
 * partitioner): for tools and tests that produce as a service would. Services produce through
 * BatchingProducer, the outbox relay or the consumer runner's dead letters.
 */
export class MessageSender {
  private readonly producer: Producer;

  constructor(client: KafkaClient) {
    this.producer = createIdempotentProducer(client);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /** Resolves once every in-sync replica has the messages. */
  async send(topicMessages: readonly TopicMessages[]): Promise<void> {
    await this.producer.sendBatch({ acks: -1, topicMessages: [...topicMessages] });
  }
}

/** Connects, sends, disconnects. */
export async function sendMessages(client: KafkaClient, topicMessages: readonly TopicMessages[]): Promise<void> {
  const sender = new MessageSender(client);
  await sender.connect();
  try {
    await sender.send(topicMessages);
  } finally {
    await sender.disconnect();
  }
}
