import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { wrapKafkajs } from '../client-handle';
import { readWholeTopic, requireTestInfrastructure, topicEndOffset } from '../../../../tools/e2e/test-stack';
import { BatchingProducer } from '../batching-producer';

describe('BatchingProducer against a real broker', () => {
  const topic = `test.batching-producer.${randomBytes(4).toString('hex')}`;
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'batching-producer-test', brokers: requireTestInfrastructure().brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const pair = (index: number) => [{ topic, messages: [{ key: `k${index}`, value: `raw-${index}` }, { key: `k${index}`, value: `event-${index}` }] }];

  it('acknowledges 300 concurrent senders in a few batches, never more than batchMessagesMax messages each, losing and reordering nothing', async () => {
    const producer = new BatchingProducer(wrapKafkajs(kafka, 'test'), { lingerMs: 2, batchMessagesMax: 500, acknowledgementTimeoutMs: 10_000 });
    await producer.connect();
    try {
      await Promise.all(Array.from({ length: 300 }, (_, index) => producer.send(pair(index))));
      // 250 pairs fill the first batch; the other 50 wait for its acknowledgement and go out together.
      expect(producer.batchesSent).toBe(2);
    } finally {
      await producer.disconnect();
    }
    const values = (await readWholeTopic(topic)).map((message) => message.value);
    expect(values).toEqual(Array.from({ length: 300 }, (_, index) => [`raw-${index}`, `event-${index}`]).flat());
  });

  it('sends what was queued before disconnect returns', async () => {
    const before = await topicEndOffset(topic);
    const producer = new BatchingProducer(wrapKafkajs(kafka, 'test'), { lingerMs: 1_000, batchMessagesMax: 500, acknowledgementTimeoutMs: 10_000 });
    await producer.connect();
    const sends = Array.from({ length: 10 }, (_, index) => producer.send(pair(1_000 + index)));
    await producer.disconnect();
    await expect(Promise.all(sends)).resolves.toHaveLength(10);
    expect(await topicEndOffset(topic)).toBe(before + 20n);
  });

  it('refuses a send before connect, so a caller cannot answer 2xx for a message that never left', async () => {
    const producer = new BatchingProducer(wrapKafkajs(kafka, 'test'), { lingerMs: 2, batchMessagesMax: 500, acknowledgementTimeoutMs: 10_000 });
    await expect(producer.send(pair(0))).rejects.toThrow('producer is not connected');
  });
});
