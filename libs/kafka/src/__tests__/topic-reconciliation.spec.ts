import { TopicSettings, Topics } from '@earnings/contracts';
import { ExistingTopic, planTopicReconciliation } from '../topic-reconciliation';

const production = { replicationFactor: 3, minInSyncReplicas: 2 };
const settings: TopicSettings = { name: Topics.commissionObserved, partitions: 12, config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' } };

function existing(change: Partial<ExistingTopic> = {}): ExistingTopic {
  return {
    name: Topics.commissionObserved, partitions: 12, replicationFactor: 3,
    values: { 'retention.ms': '-1', 'cleanup.policy': 'delete', 'min.insync.replicas': '2', 'segment.bytes': '1073741824' },
    overrides: { 'retention.ms': '-1', 'cleanup.policy': 'delete', 'min.insync.replicas': '2' },
    ...change,
  };
}

describe('reconciling an existing topic with its settings', () => {
  it('changes nothing on a topic that has them', () => {
    expect(planTopicReconciliation(existing(), settings, production)).toEqual({ configEntries: null, partitionCount: null, changes: [], notChanged: [] });
  });

  it('sets min.insync.replicas on a topic created without it, keeping the settings an operator put on it', () => {
    const topic = existing({
      values: { 'retention.ms': '-1', 'cleanup.policy': 'delete', 'min.insync.replicas': '1', 'segment.bytes': '536870912' },
      overrides: { 'retention.ms': '-1', 'cleanup.policy': 'delete', 'segment.bytes': '536870912' },
    });
    expect(planTopicReconciliation(topic, settings, production)).toEqual({
      configEntries: { 'retention.ms': '-1', 'cleanup.policy': 'delete', 'segment.bytes': '536870912', 'min.insync.replicas': '2' },
      partitionCount: null,
      changes: [{ topic: Topics.commissionObserved, setting: 'min.insync.replicas', from: '1', to: '2' }],
      notChanged: [],
    });
  });

  it('raises partitions, and keeps more partitions than configured (Kafka never removes them)', () => {
    expect(planTopicReconciliation(existing({ partitions: 6 }), settings, production)).toMatchObject({
      configEntries: null, partitionCount: 12, changes: [{ setting: 'partitions', from: '6', to: '12' }], notChanged: [],
    });
    expect(planTopicReconciliation(existing({ partitions: 24 }), settings, production)).toMatchObject({
      partitionCount: null, changes: [], notChanged: [{ setting: 'partitions', reason: 'has 24, configured 12: Kafka never removes partitions (kept at 24)' }],
    });
  });

  it('reports too few replicas, and does not set a min.insync.replicas the topic cannot meet', () => {
    const plan = planTopicReconciliation(existing({ replicationFactor: 1, values: { ...existing().values, 'min.insync.replicas': '1' } }), settings, production);
    expect(plan.configEntries).toBeNull();
    expect(plan.notChanged.map((entry) => entry.setting)).toEqual(['min.insync.replicas', 'replication factor']);
    expect(plan.notChanged[1].reason).toBe('is 1, configured 3: Kafka changes it only by reassigning partitions (kafka-reassign-partitions.sh)');
    // More copies than configured is no risk: nothing to report.
    expect(planTopicReconciliation(existing({ replicationFactor: 5 }), settings, production).notChanged).toEqual([]);
  });
});
