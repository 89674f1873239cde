import { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { createIdempotentProducer } from './kafka-client';

export interface BatchingProducerOptions {
  /** How long the first request of a batch waits for others to join it. */
  lingerMs: number;
  /** A batch is sent at once when it holds this many messages. */
  batchMessagesMax: number;
  /**
   * How long a caller waits for the acknowledgement before being told the send failed. kafkajs
   * keeps retrying in the background, so the messages may still arrive later: callers must only
   * produce what is safe to see twice (observations are idempotent in the ledger).
   */
  acknowledgementTimeoutMs: number;
}

interface Pending {
  topicMessages: TopicMessages[];
  messageCount: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * An idempotent, acks=all producer that groups concurrent sends into one `sendBatch`.
 * kafkajs does not batch by itself: one awaited `send` per HTTP request caps a producer near
 * 2k messages/s. Each caller's promise settles when the batch holding its messages is
 * acknowledged by every in-sync replica, so a caller may answer its client only then.
 */
export class BatchingProducer {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private connected = false;

  constructor(kafka: Kafka, private readonly options: BatchingProducerOptions) {
    this.producer = createIdempotentProducer(kafka);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /** Resolves once every message is acknowledged (acks=all); rejects if the batch failed. */
  send(topicMessages: TopicMessages[]): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('producer is not connected'));
    return new Promise<void>((resolve, reject) => {
      const messageCount = topicMessages.reduce((sum, entry) => sum + entry.messages.length, 0);
      const timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge within ${this.options.acknowledgementTimeoutMs} ms`)), this.options.acknowledgementTimeoutMs);
      const settle = <T>(settleWith: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        settleWith(value);
      };
      this.queue.push({ topicMessages, messageCount, resolve: settle(resolve), reject: settle(reject) });
      this.queuedMessages += messageCount;
      if (this.queuedMessages >= this.options.batchMessagesMax) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Sends what is queued now and waits for every batch in flight, then disconnects. */
  async disconnect(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
    this.connected = false;
    await this.producer.disconnect();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedMessages = 0;
    const sending = this.producer
      .sendBatch({ topicMessages: mergeByTopic(batch), acks: -1 })
      .then(
        () => batch.forEach((pending) => pending.resolve()),
        (error: Error) => batch.forEach((pending) => pending.reject(error)),
      )
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }
}

function mergeByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const pending of batch) {
    for (const { topic, messages } of pending.topicMessages) {
      const list = byTopic.get(topic) ?? [];
      list.push(...messages);
      byTopic.set(topic, list);
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
