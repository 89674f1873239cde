import type { Kafka } from 'kafkajs';
import { KafkaClient, wrapKafkajs } from '../client-handle';
import type { Logger } from 'pino';
import { OutboxPort, OutboxRelay, OutboxRow, OutboxRows, relayBatchMessagesMax } from '../outbox-relay';

/** An outbox in memory; `busyPasses` passes answer 'busy' first, as if another relay held the lock. */
class MemoryOutbox implements OutboxPort, OutboxRows {
  readonly name = 'memory.outbox';
  readonly published = new Set<string>();
  busyPasses = 0;

  constructor(readonly rows: OutboxRow[]) {}

  async pass(relay: (rows: OutboxRows) => Promise<number>): Promise<number | 'busy'> {
    if (this.busyPasses > 0) {
      this.busyPasses -= 1;
      return 'busy';
    }
    return relay(this);
  }

  async readUnpublished(limit: number): Promise<OutboxRow[]> {
    return this.rows.filter((row) => !this.published.has(row.id)).slice(0, limit);
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.published.add(id);
  }
}

function fakeKafka(): { kafka: KafkaClient; sentKeys: string[][] } {
  const sentKeys: string[][] = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async ({ topicMessages }: { topicMessages: { messages: { key: string }[] }[] }) => {
      sentKeys.push(topicMessages.flatMap((topic) => topic.messages.map((message) => message.key)));
    },
  };
  return { kafka: wrapKafkajs({ producer: () => producer } as unknown as Kafka, 'outbox-relay-test'), sentKeys };
}

const silentLogger = { error: () => undefined } as unknown as Logger;
const rowsNumbered = (count: number): OutboxRow[] => Array.from({ length: count }, (_, index) => ({ id: String(index + 1), topic: 'topic', key: `key-${index + 1}`, value: '{}' }));

describe('OutboxRelay', () => {
  it('drains in id order, in batches of at most relayBatchMessagesMax, marking what it sent', async () => {
    const outbox = new MemoryOutbox(rowsNumbered(relayBatchMessagesMax + 2));
    const { kafka, sentKeys } = fakeKafka();
    const relay = new OutboxRelay(kafka, outbox, 60_000, silentLogger);

    expect(await relay.drain()).toBe(relayBatchMessagesMax + 2);
    expect(sentKeys.map((batch) => batch.length)).toEqual([relayBatchMessagesMax, 2]);
    expect(sentKeys.flat()).toEqual(outbox.rows.map((row) => row.key));
    expect(outbox.published.size).toBe(relayBatchMessagesMax + 2);
  });

  it('waits while another relay holds the outbox rather than calling it empty', async () => {
    const outbox = new MemoryOutbox(rowsNumbered(3));
    outbox.busyPasses = 2;
    const relay = new OutboxRelay(fakeKafka().kafka, outbox, 60_000, silentLogger);

    expect(await relay.drain()).toBe(3);
  });

  it('finds nothing to drain in an outbox that no longer exists', async () => {
    const gone = Object.assign(new Error('relation does not exist'), { gone: true });
    const outbox: OutboxPort = { name: 'gone.outbox', pass: async () => Promise.reject(gone), isOutboxGone: (error) => error === gone };
    const relay = new OutboxRelay(fakeKafka().kafka, outbox, 60_000, silentLogger);

    expect(await relay.drain()).toBe(0);
  });

  it('stop waits for the pass in flight to mark what it sent', async () => {
    const outbox = new MemoryOutbox(rowsNumbered(5));
    let releaseMark = (): void => undefined;
    const markReleased = new Promise<void>((resolve) => (releaseMark = resolve));
    const markPublished = outbox.markPublished.bind(outbox);
    outbox.markPublished = async (ids) => markReleased.then(() => markPublished(ids));
    const { kafka, sentKeys } = fakeKafka();
    const relay = new OutboxRelay(kafka, outbox, 10, silentLogger);

    await relay.start();
    while (sentKeys.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    releaseMark();
    await stopping;

    expect(outbox.published.size).toBe(5);
    expect(sentKeys).toEqual([['key-1', 'key-2', 'key-3', 'key-4', 'key-5']]);
  });
});
