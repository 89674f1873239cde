import type { Producer } from 'kafkajs';
import { KafkaClient } from './client-handle';
import { createIdempotentProducer } from './kafka-client';
import { ProduceDurationObserver, timedProduce } from './produce-duration';
import { Message, TopicMessages } from './messages';
import { rememberSenderContext } from './sender-context';

export interface BatchingProducerOptions {
  /** How long the first request of a batch waits for others to join it. */
  lingerMs: number;
  /** Messages per batch at most (a single larger send still goes alone); a full batch is sent without waiting for the linger. */
  batchMessagesMax: number;
  /**
   * How long a caller waits for the acknowledgement before being told the send failed. kafkajs
   * keeps retrying in the background, so the messages may still arrive later: callers must only
   * produce what is safe to see twice (observations are idempotent in the ledger).
   */
  acknowledgementTimeoutMs: number;
  /** Told the duration of every batch's produce request (the Kafka produce latency histogram). */
  observeProduceDuration?: ProduceDurationObserver;
}

interface Pending {
  topicMessages: TopicMessages[];
  messageCount: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * An idempotent, acks=all producer that groups concurrent sends into one `sendBatch`, with one
 * batch in flight at a time: what arrives while a batch awaits its acknowledgement goes out
 * together as soon as it is acknowledged. The producer allows one request in flight anyway
 * (idempotence), so sending small batches behind it only queued requests, each paying
 * kafkajs' per-request CPU. A batch stuck in kafkajs' retries (broker down) holds the next one
 * back only until its callers' acknowledgement timeout, so sends succeed again as soon as the
 * broker is back. Each caller's promise settles when the batch holding its messages is
 * acknowledged by every in-sync replica, so a caller may answer its client only then.
 */
export class BatchingProducer {
  private producer: Producer;
  /** Settles once the current producer is connected (a replaced producer connects in the background). */
  private producerReady: Promise<void> = Promise.resolve();
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Batches sent and not yet settled; the newest one holds the next back until it settles or is stuck. */
  private readonly inFlight = new Set<Promise<void>>();
  private holdingBack: Promise<void> | null = null;
  private connected = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private batches = 0;

  constructor(private readonly kafka: KafkaClient, private readonly options: BatchingProducerOptions) {
    this.producer = createIdempotentProducer(kafka);
  }

  /** sendBatch calls so far: with the messages sent, how well concurrent sends are grouped. */
  get batchesSent(): number {
    return this.batches;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /**
   * For a service that must stay up while Kafka refuses it (a wrong password, a cluster still
   * starting): resolves after the first attempt, connected or not, and keeps trying every
   * retryIntervalMs until connected or disconnect is called. Sends fail until then, and the
   * service's readiness says why. `onFailure` hears each failure unlike the one before.
   */
  async connectOrKeepTrying(onFailure: (error: Error) => void, retryIntervalMs = 2_000): Promise<void> {
    let lastMessage: string | null = null;
    const attempt = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        await this.producer.connect();
        this.connected = !this.stopped;
      } catch (error) {
        if ((error as Error).message !== lastMessage) onFailure(error as Error);
        lastMessage = (error as Error).message;
        this.retryTimer = setTimeout(() => void attempt(), retryIntervalMs);
      }
    };
    await attempt();
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
      for (const { messages } of topicMessages) rememberSenderContext(messages);
      this.queue.push({ topicMessages, messageCount, resolve: settle(resolve), reject: settle(reject) });
      this.queuedMessages += messageCount;
      if (this.queuedMessages >= this.options.batchMessagesMax) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Sends everything queued, waits for every batch to be acknowledged or fail, then disconnects. */
  async disconnect(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Sends up to batchMessagesMax queued messages, unless a batch holds them back: it calls this again when it settles. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.holdingBack || this.queue.length === 0) return;
    const batch = this.takeBatch();
    this.batches += 1;
    let stuckTimer: NodeJS.Timeout | undefined = undefined;
    const producer = this.producer;
    const sending: Promise<void> = this.producerReady
      .then(() => timedProduce(this.options.observeProduceDuration, () => producer.sendBatch({ topicMessages: mergeByTopic(batch), acks: -1 })))
      .then(
        () => batch.forEach((pending) => pending.resolve()),
        (error: Error) => {
          this.replaceProducer(producer);
          batch.forEach((pending) => pending.reject(error));
        },
      )
      .finally(() => {
        this.inFlight.delete(sending);
        release();
      });
    const release = () => {
      clearTimeout(stuckTimer);
      if (this.holdingBack !== sending) return;
      this.holdingBack = null;
      this.flush();
    };
    stuckTimer = setTimeout(() => {
      this.replaceProducer(producer);
      release();
    }, this.options.acknowledgementTimeoutMs);
    this.inFlight.add(sending);
    this.holdingBack = sending;
  }

  /**
   * After a batch failed or got stuck, the producer's sequence numbers no longer say what the
   * broker holds: the broker may have written the batch and lost only its answer. A later batch
   * sent with the same sequence is then taken for a duplicate and dropped, yet acknowledged
   * (seen with the broker SIGKILLed under load: acknowledged callbacks lost), or refused as out of
   * order forever. A new producer has a new producer id, so its sequences start clean; the old
   * one finishes its retries in the background (a message written twice is a counted duplicate).
   */
  private replaceProducer(broken: Producer): void {
    if (this.producer !== broken || !this.connected) return;
    this.producer = createIdempotentProducer(this.kafka);
    const replacement = this.producer;
    this.producerReady = replacement.connect().catch(() => undefined);
    void broken.disconnect().catch(() => undefined);
  }

  /** The oldest sends, whole, up to batchMessagesMax messages (at least one send). */
  private takeBatch(): Pending[] {
    let messages = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || messages + this.queue[count].messageCount <= this.options.batchMessagesMax)) {
      messages += this.queue[count].messageCount;
      count += 1;
    }
    const batch = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    this.queuedMessages -= messages;
    return batch;
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
