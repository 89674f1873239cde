import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { requireTestInfrastructure } from '../../../../tools/e2e/test-stack';
import { wrapKafkajs } from '../client-handle';
import { BehindStoredOffsetError, ConsumedBatch, ParsedMessage, runConsumer, RunningConsumer, StoredOffset } from '../consumer-runner';

const silent = pino({ level: 'silent' });

/** Resolves once `probe` answers true; every test bounds it with its own timeout. */
async function until(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((resolve) => setTimeout(resolve, 50));
}

type Parsed = { ok: true; value: number } | { ok: false; reason: string };
const parseNumber = (_topic: string, value: Buffer | null): Parsed => {
  const text = value?.toString('utf8') ?? '';
  return /^\d+$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, reason: `not a number: ${text.length} characters` };
};

/** The runner against the real broker: each offset policy, dead letters, a failing handler, a limit. */
describe('runConsumer against a real broker', () => {
  const suffix = randomBytes(4).toString('hex');
  const topic = `test.runner.${suffix}`;
  const deadLetterTopic = `${topic}.dlq`;
  let kafka: Kafka;
  const client = () => wrapKafkajs(kafka, 'runner-test');
  const running: RunningConsumer[] = [];

  const produce = async (values: string[], partition = 0) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'k', value, partition, headers: { source: 'test' } })) });
    await producer.disconnect();
  };

  const readDeadLetters = async (count: number) => {
    const letters: { value: string; headers: Record<string, string> }[] = [];
    const consumer = kafka.consumer({ groupId: `${deadLetterTopic}-reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void letters.push({
        value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
      }),
    });
    await until(() => letters.length >= count);
    await consumer.disconnect();
    return letters;
  };

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'runner-test', brokers: requireTestInfrastructure().brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }, { topic: deadLetterTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await produce(['1', '2', 'three', '4']);
  });

  afterEach(async () => {
    for (const consumer of running.splice(0)) await consumer.stop();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, deadLetterTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('committed: hands parsed messages on, dead-letters the unreadable one as it came with why and which group, and redelivers a batch whose handler threw', async () => {
    const seen: number[] = [];
    const failing: string[] = [];
    const applied: string[] = [];
    let failures = 1;
    const groupId = `${topic}-committed`;
    running.push(await runConsumer(client(), {
      groupId, topics: [topic], offsets: { kind: 'committed', fromBeginning: true }, sessionTimeoutMs: 10_000, maxWaitTimeInMs: 100,
      parse: parseNumber, deadLetters: { topic: deadLetterTopic, send: true }, logger: silent,
      health: { consumerRunning: () => undefined, consumerStopped: () => undefined, partitionApplied: (key) => applied.push(key), partitionFailing: (key) => failing.push(key) },
    }, async (batch: ConsumedBatch<ParsedMessage<number>>) => {
      if (failures-- > 0) throw new Error('the database is down');
      seen.push(...batch.messages.map((message) => message.event));
    }));
    await until(() => seen.length >= 3 && applied.length > 0);
    expect(seen).toEqual([1, 2, 4]);
    expect(failing).toEqual([`${topic}/0`]);
    expect(applied).toContain(`${topic}/0`);
    const [letter] = await readDeadLetters(1);
    expect(letter.value).toBe('three');
    expect(letter.headers).toMatchObject({ source: 'test', dlq_topic: topic, dlq_partition: '0', dlq_offset: '2', dlq_consumer: groupId, dlq_reason: 'not a number: 5 characters' });
  }, 60_000);

  it('of-record: starts each partition at the stored offset, and seeks back when the handler finds Kafka ahead of its record', async () => {
    const stored: StoredOffset[] = [{ topic, partition: 0, nextOffset: '3' }];
    const delivered: string[] = [];
    let gapReported = false;
    running.push(await runConsumer(client(), {
      groupId: `${topic}-of-record`, topics: [topic], offsets: { kind: 'of-record', storedOffsets: async () => stored }, sessionTimeoutMs: 10_000, maxWaitTimeInMs: 100, logger: silent,
    }, async (batch, control) => {
      // Once: the record now says offset 1 is next (a rebuild moved it back), whatever Kafka fetched.
      if (!gapReported) {
        gapReported = true;
        expect(batch.firstOffset).toBe('3');
        throw new BehindStoredOffsetError(topic, batch.partition, 1n, 'behind');
      }
      delivered.push(...batch.messages.map((message) => message.offset));
      await control.done(batch.lastOffset);
    }));
    await until(() => delivered.includes('3'));
    expect(delivered).toEqual(['1', '2', '3']);
  }, 60_000);

  it('live: a group of its own that sees only what is produced after it joined', async () => {
    const seen: string[] = [];
    const feed = await runConsumer(client(), { groupId: `${topic}-live`, topics: [topic], offsets: { kind: 'live' }, sessionTimeoutMs: 10_000, maxWaitTimeInMs: 100, logger: silent }, async (batch) => {
      seen.push(...batch.messages.map((message) => message.value?.toString() ?? ''));
    });
    running.push(feed);
    expect(feed.groupId.startsWith(`${topic}-live-`)).toBe(true);
    await produce(['5'], 1);
    await until(() => seen.length >= 1);
    expect(seen).toEqual(['5']);
  }, 60_000);

  it('stopBefore: delivers nothing at or past the limit, pauses there, and goes on after the limit rose and resume()', async () => {
    const limits = new Map([[0, 2n], [1, 0n]]);
    const seen: string[] = [];
    const replay = await runConsumer(client(), {
      groupId: `${topic}-replay`, topics: [topic], offsets: { kind: 'replay' }, sessionTimeoutMs: 10_000, maxWaitTimeInMs: 100, logger: silent,
      stopBefore: (_topic, partition) => limits.get(partition),
    }, async (batch) => void seen.push(...batch.messages.map((message) => `${batch.partition}:${message.offset}`)));
    running.push(replay);
    await until(() => seen.length >= 2);
    expect(seen).toEqual(['0:0', '0:1']);
    limits.set(0, 4n);
    replay.resume();
    await until(() => seen.length >= 4);
    expect(seen).toEqual(['0:0', '0:1', '0:2', '0:3']);
  }, 60_000);
});
