import { parseBalanceChanged, Topics } from '@earnings/contracts';
import { Consumer, ConsumerHealthReport, createConsumer, DeadLetterSender, Kafka, KafkaMessage, reportConsumerHealth } from '@earnings/kafka';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';

/** What a subscriber's queue receives: which AUI changed, at which of its sequence numbers. */
export interface BalanceChangedNotice {
  aui: string;
  sequence: string;
}

export const earningsTopic = (aui: string): string => `earnings-updated:${aui}`;

export interface NoticePublisher {
  publish(event: { topic: string; payload: BalanceChangedNotice }): void;
}

/**
 * Remembers the newest sequence seen per AUI, so a repeated or out-of-date BalanceChanged
 * (a redelivery after a rebalance, a replayed outbox row) is not announced twice. Bounded:
 * when full it forgets everything, which at worst lets one stale notice through per AUI.
 */
export class SequenceFilter {
  private readonly newest = new Map<string, bigint>();

  constructor(private readonly auiCountMax = 1_000_000) {}

  isNewer(aui: string, sequence: bigint): boolean {
    const seen = this.newest.get(aui);
    if (seen !== undefined && sequence <= seen) return false;
    if (seen === undefined && this.newest.size >= this.auiCountMax) this.newest.clear();
    this.newest.set(aui, sequence);
    return true;
  }
}

/**
 * Feeds subscriptions from earnings.balance-changed.v1. Every process instance reads every
 * partition (its own consumer group) from the moment it starts: a live feed, not history, so no
 * offsets are committed and fromBeginning is false.
 */
export class BalanceChangesConsumer {
  private consumer: Consumer | null = null;
  private readonly sequences = new SequenceFilter();
  private readonly deadLetters: DeadLetterSender;

  constructor(private readonly kafka: Kafka, private readonly logger: Logger, private readonly health: ConsumerHealthReport) {
    this.deadLetters = new DeadLetterSender(kafka, Topics.balanceChangedDeadLetter);
  }

  /** Resolves once the consumer has joined its group, so events produced after this are seen. */
  async start(publisher: NoticePublisher): Promise<void> {
    const groupId = `earnings-query-live-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const consumer = createConsumer(this.kafka, { groupId, sessionTimeoutMs: 30_000 });
    this.consumer = consumer;
    // A feed that crashed or stopped leaves subscriptions silent: readiness says so.
    reportConsumerHealth(consumer, this.health);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await this.deadLetters.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.balanceChanged, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => this.announce({ partition, message, groupId }, publisher),
    });
    await joined;
    this.logger.info({ groupId }, 'live balance feed joined');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.deadLetters.disconnect();
  }

  private async announce(received: { partition: number; message: KafkaMessage; groupId: string }, publisher: NoticePublisher): Promise<void> {
    const { partition, message, groupId } = received;
    const parsed = parseBalanceChanged(message.value);
    if (!parsed.ok) {
      // Never a reason to stop the feed: the message goes to the dead-letter topic, naming this
      // feed's group (every query instance reads every partition, so each sends its own letter).
      this.logger.error({ partition, offset: message.offset, reason: parsed.reason }, 'balance-changed message that breaks the schema sent to the dead-letter topic');
      await this.deadLetters.send([{
        topic: Topics.balanceChanged, partition, offset: message.offset, key: message.key, value: message.value,
        headers: { ...message.headers, dlq_consumer: groupId }, reason: parsed.reason,
      }]);
      return;
    }
    const event = parsed.value;
    if (!this.sequences.isNewer(event.aui, BigInt(event.sequence))) return;
    publisher.publish({ topic: earningsTopic(event.aui), payload: { aui: event.aui, sequence: event.sequence } });
  }
}
