import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { wrapKafkajs } from '../client-handle';
import { requireTestInfrastructure } from '../../../../tools/e2e/test-stack';
import { groupCatchUp } from '../consumer-lag';

/** A topic and group of this suite's own on the real broker: how far a group is from the ends taken when asked. */
describe('groupCatchUp against a real broker', () => {
  const topic = `test.catch-up.${randomBytes(4).toString('hex')}`;
  const groupId = `${topic}-group`;
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'catch-up-test', brokers: requireTestInfrastructure().brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: ['a', 'b', 'c', 'd', 'e'].map((value, index) => ({ value, partition: index % 2 })) });
    await producer.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('counts every message for a group that never committed, and 0 once it applied them all; it waits for a group still catching up', async () => {
    const progress = groupCatchUp(wrapKafkajs(kafka, 'test'), groupId, topic);
    try {
      expect(await progress.messagesBehind(0)).toBe(5n);
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      // Applies slowly: the wait sees the committed offsets reach the ends taken when it was asked.
      await consumer.run({ eachBatch: async () => void (await new Promise((resolve) => setTimeout(resolve, 300))) });
      try {
        expect(await progress.messagesBehind(30_000)).toBe(0n);
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await progress.close();
    }
  }, 60_000);
});
