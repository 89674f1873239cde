import { TopicSettings } from '@earnings/contracts';
import { Kafka } from 'kafkajs';
import { singleAttemptClientOf } from './kafka-client';
import { explainKafkaFailure } from './kafka-security';

/**
 * Creates the product's topics with explicit settings; topics that exist are left as they are
 * (a partition count is never changed behind an operator's back). Returns the names created.
 */
export async function ensureTopics(kafka: Kafka, topics: TopicSettings[], replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor,
        configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
      })),
    });
    return missing.map((topic) => topic.name);
  } finally {
    await admin.disconnect();
  }
}

/** Readiness: the cluster answers a metadata request; when it does not, the reason says what to check (credentials, the CA). */
export function kafkaReadinessCheck(kafka: Kafka): { name: string; check: () => Promise<void> } {
  const admin = singleAttemptClientOf(kafka).admin();
  let connected: Promise<void> | null = null;
  return {
    name: 'kafka',
    check: async () => {
      try {
        connected ??= admin.connect().catch((error: Error) => {
          connected = null;
          throw error;
        });
        await connected;
        await admin.describeCluster();
      } catch (error) {
        throw new Error(explainKafkaFailure(error as Error));
      }
    },
  };
}
