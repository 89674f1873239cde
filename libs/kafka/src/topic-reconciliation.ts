import { TopicSettings } from '@earnings/contracts';

/**
 * How many copies of each message the cluster keeps, and how many must have it before a write
 * with acks=all is acknowledged. Production: 3 and 2 (one broker may be down, and an
 * acknowledged write still exists twice); a single local broker: 1 and 1.
 */
export interface TopicReplication {
  replicationFactor: number;
  minInSyncReplicas: number;
}

/** A topic as the cluster has it. */
export interface ExistingTopic {
  name: string;
  partitions: number;
  /** The smallest replica count of its partitions. */
  replicationFactor: number;
  /** Every config value in effect, defaults included. */
  values: Record<string, string>;
  /** The values set on the topic itself: kept when others change, as AlterConfigs replaces them all. */
  overrides: Record<string, string>;
}

export interface TopicChange {
  topic: string;
  setting: string;
  from: string;
  to: string;
}

export interface TopicNotChanged {
  topic: string;
  setting: string;
  reason: string;
}

/** What setup does to one existing topic: its config as a whole (null: unchanged) and its new partition count (null: unchanged). */
export interface TopicPlan {
  configEntries: Record<string, string> | null;
  partitionCount: number | null;
  changes: TopicChange[];
  notChanged: TopicNotChanged[];
}

/** The topic-level config a topic of the product should have. */
export function desiredTopicConfig(topic: TopicSettings, replication: TopicReplication): Record<string, string> {
  return { ...topic.config, 'min.insync.replicas': String(replication.minInSyncReplicas) };
}

/**
 * Compares a topic with its settings: config values that differ are changed (other settings
 * an operator put on the topic are kept), partitions only ever go up, and what Kafka cannot
 * change in place (too few replicas, fewer partitions) is reported with what to do.
 */
export function planTopicReconciliation(existing: ExistingTopic, topic: TopicSettings, replication: TopicReplication): TopicPlan {
  const notChanged: TopicNotChanged[] = [];
  const wanted = desiredTopicConfig(topic, replication);
  if (replication.minInSyncReplicas > existing.replicationFactor) {
    delete wanted['min.insync.replicas'];
    notChanged.push({
      topic: topic.name, setting: 'min.insync.replicas',
      reason: `${replication.minInSyncReplicas} would exceed the topic's ${existing.replicationFactor} replica(s), and every acks=all write would fail; raise its replication factor first`,
    });
  }
  const changes: TopicChange[] = Object.entries(wanted)
    .filter(([setting, value]) => existing.values[setting] !== value)
    .map(([setting, value]) => ({ topic: topic.name, setting, from: existing.values[setting] ?? '(unset)', to: value }));
  // More copies than configured is no risk; fewer is, and only a partition reassignment adds them.
  if (existing.replicationFactor < replication.replicationFactor) {
    notChanged.push({
      topic: topic.name, setting: 'replication factor',
      reason: `is ${existing.replicationFactor}, configured ${replication.replicationFactor}: Kafka changes it only by reassigning partitions (kafka-reassign-partitions.sh)`,
    });
  }
  let partitionCount: number | null = null;
  if (topic.partitions > existing.partitions) {
    partitionCount = topic.partitions;
    changes.push({ topic: topic.name, setting: 'partitions', from: String(existing.partitions), to: String(topic.partitions) });
  } else if (topic.partitions < existing.partitions) {
    notChanged.push({ topic: topic.name, setting: 'partitions', reason: `has ${existing.partitions}, configured ${topic.partitions}: Kafka never removes partitions (kept at ${existing.partitions})` });
  }
  const configChanged = changes.some((change) => change.setting !== 'partitions');
  return { configEntries: configChanged ? { ...existing.overrides, ...wanted } : null, partitionCount, changes, notChanged };
}
