import { randomBytes } from 'node:crypto';
import { TopicName, TopicSettings } from '@earnings/contracts';
import { Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { requireTestInfrastructure } from '../../../../tools/e2e/test-stack';
import { reconcileTopics } from '../topics-admin';
import { wrapKafkajs } from '../client-handle';

/** Topics of this suite's own, so the shared broker's product topics are never touched. */
describe('reconcileTopics against a real broker', () => {
  const prefix = `test.reconcile.${randomBytes(4).toString('hex')}`;
  const events = `${prefix}.events` as TopicName;
  const letters = `${prefix}.dlq` as TopicName;
  const local = { replicationFactor: 1, minInSyncReplicas: 1 };
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'topics-admin-test', brokers: requireTestInfrastructure().brokers.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [events, letters] }).catch(() => undefined);
    await admin.disconnect();
  });

  const configOf = async (topic: string, names: string[]) => {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }] });
    return Object.fromEntries(described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]));
  };
  const partitionsOf = async (topic: string) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;

  it('creates missing topics with min.insync.replicas, then brings existing ones to changed settings and says what it did and could not', async () => {
    const first: TopicSettings[] = [
      { name: events, partitions: 2, config: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' } },
      { name: letters, partitions: 1, config: { 'retention.ms': '-1' } },
    ];
    expect(await reconcileTopics(wrapKafkajs(kafka, 'test'), first, local)).toEqual({ created: [events, letters], changed: [], notChanged: [] });
    expect(await configOf(events, ['retention.ms', 'min.insync.replicas'])).toEqual({ 'retention.ms': '86400000', 'min.insync.replicas': '1' });
    expect(await reconcileTopics(wrapKafkajs(kafka, 'test'), first, local)).toEqual({ created: [], changed: [], notChanged: [] });

    // An operator's own setting on the topic, which a reconciliation must keep.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: events, configEntries: [
      { name: 'retention.ms', value: '86400000' }, { name: 'cleanup.policy', value: 'delete' }, { name: 'min.insync.replicas', value: '1' }, { name: 'segment.bytes', value: '536870912' },
    ] }] });
    const second: TopicSettings[] = [
      { name: events, partitions: 4, config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' } },
      { name: letters, partitions: 1, config: { 'retention.ms': '-1' } },
    ];
    // One broker: a replication factor of 3 and min.insync.replicas of 2 cannot be met on these topics.
    const report = await reconcileTopics(wrapKafkajs(kafka, 'test'), second, { replicationFactor: 3, minInSyncReplicas: 2 });
    expect(report.created).toEqual([]);
    expect(report.changed).toEqual([
      { topic: events, setting: 'retention.ms', from: '86400000', to: '-1' },
      { topic: events, setting: 'partitions', from: '2', to: '4' },
    ]);
    expect(report.notChanged.map(({ topic, setting }) => `${topic} ${setting}`)).toEqual([
      `${events} min.insync.replicas`, `${events} replication factor`, `${letters} min.insync.replicas`, `${letters} replication factor`,
    ]);
    expect(await configOf(events, ['retention.ms', 'segment.bytes', 'min.insync.replicas'])).toEqual({ 'retention.ms': '-1', 'segment.bytes': '536870912', 'min.insync.replicas': '1' });
    expect(await partitionsOf(events)).toBe(4);

    const fewer = await reconcileTopics(wrapKafkajs(kafka, 'test'), [{ ...second[0], partitions: 3 }], local);
    expect(fewer).toEqual({ created: [], changed: [], notChanged: [{ topic: events, setting: 'partitions', reason: 'has 4, configured 3: Kafka never removes partitions (kept at 4)' }] });
  });
});
