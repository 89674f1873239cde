import { KafkaClient, kafkajsOf } from './client-handle';

/**
 * Reads the end offset (high watermark) of every partition of `topics`, keyed `topic/partition`,
 * through one admin client connected on first use and kept: what a readiness check measures lag
 * against, every few seconds.
 */
export function endOffsetReader(kafka: KafkaClient, topics: readonly string[]): () => Promise<Map<string, bigint>> {
  const admin = kafkajsOf(kafka).admin();
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

/** The end offset of every partition of `topics` now, keyed `topic/partition`, through an admin client of its own (closed after). */
export async function readEndOffsets(kafka: KafkaClient, topics: readonly string[]): Promise<Map<string, bigint>> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${partition.partition}`, BigInt(partition.high));
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Commits `groupId`'s offsets at the current end of every partition of `topics` (the group must have no members): it then reads only what comes next. */
export async function moveGroupToEnd(kafka: KafkaClient, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const partitions = (await admin.fetchTopicOffsets(topic)).map((partition) => ({ partition: partition.partition, offset: partition.high }));
      await admin.setOffsets({ groupId, topic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
}
