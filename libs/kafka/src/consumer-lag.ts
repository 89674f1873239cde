import type { Admin } from 'kafkajs';
import { KafkaClient, kafkajsOf } from './client-handle';

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
async function readConsumerLag(admin: Admin, groups: readonly WatchedGroup[]): Promise<PartitionLag[]> {
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
async function readTopicDepth(admin: Admin, topic: string): Promise<bigint> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + BigInt(partition.high) - BigInt(partition.low), 0n);
}

/** Figures about the cluster read from outside the services (the operations exporter): one admin client, connected on first use and kept. */
export interface ClusterReader {
  /** See readConsumerLag. */
  consumerLag(groups: readonly WatchedGroup[]): Promise<PartitionLag[]>;
  /** Messages a topic holds now (a dead-letter topic's depth). */
  topicDepth(topic: string): Promise<bigint>;
  close(): Promise<void>;
}

export function clusterReader(kafka: KafkaClient): ClusterReader {
  const admin = connectedOnFirstUse(kafka);
  return {
    consumerLag: async (groups) => readConsumerLag(await admin.get(), groups),
    topicDepth: async (topic) => readTopicDepth(await admin.get(), topic),
    close: () => admin.close(),
  };
}

/** An admin client connected on first use and kept; a failed connect is tried again at the next use. */
function connectedOnFirstUse(kafka: KafkaClient): { get(): Promise<Admin>; close(): Promise<void> } {
  const admin = kafkajsOf(kafka).admin();
  let connected: Promise<void> | null = null;
  return {
    get: async () => {
      connected ??= admin.connect().catch((error: Error) => {
        connected = null;
        throw error;
      });
      await connected;
      return admin;
    },
    close: async () => {
      if (connected !== null) await admin.disconnect();
    },
  };
}

/** How often a catch-up wait asks for the group's committed offsets again. */
const catchUpPollIntervalMs = 250;

/**
 * For a decision that must not run on a consumer's lagging copy: `messagesBehind(waitMsMax)`
 * takes the topic's end offsets now, waits up to `waitMsMax` for the group's committed offsets to
 * reach them, and answers how many messages the group is still short of them (0: caught up). The
 * group commits after each batch it applied, so "committed" means "applied". One admin client,
 * connected on first use and kept.
 */
export function groupCatchUp(kafka: KafkaClient, groupId: string, topic: string): { messagesBehind(waitMsMax: number): Promise<bigint>; close(): Promise<void> } {
  const connection = connectedOnFirstUse(kafka);
  return {
    async messagesBehind(waitMsMax: number): Promise<bigint> {
      const admin = await connection.get();
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((partition) => [partition.partition, { low: BigInt(partition.low), high: BigInt(partition.high) }]));
      const deadline = Date.now() + waitMsMax;
      for (;;) {
        const behind = await behindEnds(admin, groupId, topic, ends);
        if (behind === 0n || Date.now() >= deadline) return behind;
        await new Promise((resolve) => setTimeout(resolve, Math.min(catchUpPollIntervalMs, Math.max(0, deadline - Date.now()))));
      }
    },
    close: () => connection.close(),
  };
}

/** Messages between the group's committed offsets and `ends`, summed over the partitions; a partition never committed counts from its earliest offset. */
async function behindEnds(admin: Admin, groupId: string, topic: string, ends: ReadonlyMap<number, { low: bigint; high: bigint }>): Promise<bigint> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committedByPartition = new Map((committed?.partitions ?? []).map((partition) => [partition.partition, BigInt(partition.offset)]));
  let behind = 0n;
  for (const [partition, end] of ends) {
    const offset = committedByPartition.get(partition) ?? -1n;
    const applied = offset < 0n ? end.low : offset;
    if (end.high > applied) behind += end.high - applied;
  }
  return behind;
}
