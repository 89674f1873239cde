import { BalanceChanged, Topics } from '@earnings/contracts';
import { ConsumerHealthReport, reportConsumerHealth } from '@earnings/kafka';
import { Consumer, Kafka } from 'kafkajs';
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

  constructor(private readonly kafka: Kafka, private readonly logger: Logger, private readonly health: ConsumerHealthReport) {}

  /** Resolves once the consumer has joined its group, so events produced after this are seen. */
  async start(publisher: NoticePublisher): Promise<void> {
    const groupId = `earnings-query-live-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    // A feed that crashed or stopped leaves subscriptions silent: readiness says so.
    reportConsumerHealth(consumer, this.health);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.balanceChanged, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => this.announce(message.value?.toString('utf8') ?? '', publisher),
    });
    await joined;
    this.logger.info({ groupId }, 'live balance feed joined');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private announce(value: string, publisher: NoticePublisher): void {
    let event: BalanceChanged;
    try {
      event = JSON.parse(value) as BalanceChanged;
    } catch (error) {
      // Live updates are best effort: a bad message is logged, never a reason to stop the feed.
      this.logger.error({ err: error }, 'unreadable balance-changed message');
      return;
    }
    if (event.type !== 'BalanceChanged' || typeof event.aui !== 'string' || !/^\d+$/.test(String(event.sequence))) {
      this.logger.error({ type: event.type }, 'balance-changed message without aui or sequence');
      return;
    }
    if (!this.sequences.isNewer(event.aui, BigInt(event.sequence))) return;
    publisher.publish({ topic: earningsTopic(event.aui), payload: { aui: event.aui, sequence: String(event.sequence) } });
  }
}
