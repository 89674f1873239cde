import { TopicSettings } from '@earnings/contracts';
import { Admin, ConfigResourceTypes, ConfigSource } from 'kafkajs';
import { KafkaClient, kafkajsOf } from './client-handle';
import { singleAttemptClientOf } from './kafka-client';
import { explainKafkaFailure } from './kafka-security';
import { desiredTopicConfig, ExistingTopic, planTopicReconciliation, TopicChange, TopicNotChanged, TopicReplication } from './topic-reconciliation';

export interface TopicsReport {
  created: string[];
  changed: TopicChange[];
  notChanged: TopicNotChanged[];
}

/**
 * Brings the product's topics to their settings: creates the missing ones with the replication
 * factor and min.insync.replicas, and reconciles the others (config values, partitions up; see
 * planTopicReconciliation). A change the cluster refuses (an ACL, a managed service's limits) is
 * reported, not thrown: the topics exist, so the services can run, and the operator reads why.
 */
export async function reconcileTopics(kafka: KafkaClient, topics: TopicSettings[], replication: TopicReplication): Promise<TopicsReport> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const names = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !names.has(topic.name));
    const present = topics.filter((topic) => names.has(topic.name));
    if (missing.length > 0) await createTopics(admin, missing, replication);
    const report: TopicsReport = { created: missing.map((topic) => topic.name), changed: [], notChanged: [] };
    const existing = present.length > 0 ? await describeTopics(admin, present.map((topic) => topic.name)) : new Map<string, ExistingTopic>();
    for (const topic of present) {
      const plan = planTopicReconciliation(existing.get(topic.name)!, topic, replication);
      report.notChanged.push(...plan.notChanged);
      try {
        if (plan.configEntries) {
          const configEntries = Object.entries(plan.configEntries).map(([name, value]) => ({ name, value }));
          await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic.name, configEntries }] });
        }
        if (plan.partitionCount !== null) await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: plan.partitionCount }] });
        report.changed.push(...plan.changes);
      } catch (error) {
        const reason = `the cluster refused the change: ${(error as Error).message}`;
        report.notChanged.push(...plan.changes.map((change) => ({ topic: change.topic, setting: change.setting, reason: `${change.from} -> ${change.to}: ${reason}` })));
      }
    }
    return report;
  } finally {
    await admin.disconnect();
  }
}

async function createTopics(admin: Admin, topics: TopicSettings[], replication: TopicReplication): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({
      topic: topic.name,
      numPartitions: topic.partitions,
      replicationFactor: replication.replicationFactor,
      configEntries: Object.entries(desiredTopicConfig(topic, replication)).map(([name, value]) => ({ name, value })),
    })),
  });
}

async function describeTopics(admin: Admin, names: string[]): Promise<Map<string, ExistingTopic>> {
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  const topics = new Map<string, ExistingTopic>();
  for (const topic of metadata.topics) {
    const entries = configs.resources.find((resource) => resource.resourceName === topic.name)?.configEntries ?? [];
    topics.set(topic.name, {
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: Math.min(...topic.partitions.map((partition) => partition.replicas.length)),
      values: Object.fromEntries(entries.map((entry) => [entry.configName, entry.configValue])),
      overrides: Object.fromEntries(entries.filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG).map((entry) => [entry.configName, entry.configValue])),
    });
  }
  return topics;
}

/** Readiness: the cluster answers a metadata request; when it does not, the reason says what to check (credentials, the CA). */
export function kafkaReadinessCheck(kafka: KafkaClient): { name: string; check: () => Promise<void> } {
  const admin = kafkajsOf(singleAttemptClientOf(kafka)).admin();
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

/** Null when the cluster answers a metadata request now, asked once (no retries); else why not, as readiness says it. */
export async function clusterProblem(kafka: KafkaClient): Promise<string | null> {
  const admin = kafkajsOf(singleAttemptClientOf(kafka)).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return null;
  } catch (error) {
    return explainKafkaFailure(error as Error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
