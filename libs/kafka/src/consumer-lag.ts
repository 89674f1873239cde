import type { Admin } from 'kafkajs';

/** A consumer group and the topics it reads. */
export interface WatchedGroup {
  groupId: string;
  topics: readonly string[];
}

export interface PartitionLag {
  groupId: string;
  topic: string;
  partition: number;
  /** Messages in the partition the group has not committed yet: end offset minus committed offset. */
  lagMessages: bigint;
}

/**
 * Lag per group and partition from Kafka's own bookkeeping (the committed offsets and the end
 * offsets), the same figures KEDA's Kafka scaler and kafka-consumer-groups.sh read. Measured from
 * outside the consumer, so it keeps rising while the consumer is down, which is when it matters.
 * A partition the group never committed counts from its earliest offset (all of it is unread).
 */
export async function readConsumerLag(admin: Admin, groups: readonly WatchedGroup[]): Promise<PartitionLag[]> {
  const endOffsets = new Map<string, Map<number, { low: bigint; high: bigint }>>();
  const offsetsOf = async (topic: string) => {
    let known = endOffsets.get(topic);
    if (!known) {
      known = new Map((await admin.fetchTopicOffsets(topic)).map((partition) => [partition.partition, { low: BigInt(partition.low), high: BigInt(partition.high) }]));
      endOffsets.set(topic, known);
    }
    return known;
  };
  const lags: PartitionLag[] = [];
  for (const group of groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group.groupId, topics: [...group.topics] })) {
      const ends = await offsetsOf(topic);
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition);
        if (!end) continue;
        const committed = BigInt(offset) < 0n ? end.low : BigInt(offset);
        lags.push({ groupId: group.groupId, topic, partition, lagMessages: end.high > committed ? end.high - committed : 0n });
      }
    }
  }
  return lags;
}

/** Messages a topic holds now (end minus earliest offset, all partitions): a dead-letter topic's depth. */
export async function readTopicDepth(admin: Admin, topic: string): Promise<bigint> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + BigInt(partition.high) - BigInt(partition.low), 0n);
}
