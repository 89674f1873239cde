import { Kafka } from 'kafkajs';
import { consumedTopics, partitionKey } from '../projection/ledger-projection.consumer';

/** The end offset of every consumed partition, through one admin client connected on first use. */
export function topicEndOffsets(kafka: Kafka): () => Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  let connected: Promise<void> | null = null;
  return async () => {
    connected ??= admin.connect().catch((error: Error) => {
      connected = null;
      throw error;
    });
    await connected;
    const ends = new Map<string, bigint>();
    for (const topic of consumedTopics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) ends.set(partitionKey(topic, partition.partition), BigInt(partition.high));
    }
    return ends;
  };
}
