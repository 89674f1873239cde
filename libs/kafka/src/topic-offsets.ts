import { Kafka } from 'kafkajs';

/**
 * Reads the end offset (high watermark) of every partition of `topics`, keyed `topic/partition`,
 * through one admin client connected on first use and kept: what a readiness check measures lag
 * against, every few seconds.
 */
export function endOffsetReader(kafka: Kafka, topics: readonly string[]): () => Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  let connected: Promise<void> | null = null;
  return async () => {
    connected ??= admin.connect().catch((error: Error) => {
      connected = null;
      throw error;
    });
    await connected;
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${partition.partition}`, BigInt(partition.high));
    }
    return ends;
  };
}
