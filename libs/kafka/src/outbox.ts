import { Producer } from 'kafkajs';

export interface OutboxMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/**
 * Sends outbox rows, already in id order, as one acks=all batch. Grouping by topic keeps each
 * topic's (and so each key's) order, which is what consumers rely on.
 */
export async function sendOutboxBatch(producer: Producer, messages: readonly OutboxMessage[]): Promise<void> {
  const byTopic = new Map<string, { key: string; value: string; headers?: Record<string, string> }[]>();
  for (const { topic, ...message } of messages) {
    const list = byTopic.get(topic) ?? [];
    list.push(message);
    byTopic.set(topic, list);
  }
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })) });
}
