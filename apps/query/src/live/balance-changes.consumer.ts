import { parseBalanceChanged, Topics } from '@earnings/contracts';
import { ConsumerHealthReport, KafkaClient, runConsumer, RunningConsumer } from '@earnings/kafka';
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
 * partition from the moment it starts (the runner's live policy: a group of its own, nothing
 * committed): a live feed, not history. A message that breaks the schema never stops the feed:
 * it goes to the dead-letter topic naming this feed's group (every query instance reads every
 * partition, so each sends its own letter).
 */
export class BalanceChangesConsumer {
  private running: RunningConsumer | null = null;
  private readonly sequences = new SequenceFilter();

  constructor(private readonly kafka: KafkaClient, private readonly logger: Logger, private readonly health: ConsumerHealthReport) {}

  /** Resolves once the consumer has joined its group, so events produced after this are seen. */
  async start(publisher: NoticePublisher): Promise<void> {
    this.running = await runConsumer(this.kafka, {
      groupId: 'earnings-query-live', topics: [Topics.balanceChanged], offsets: { kind: 'live' }, sessionTimeoutMs: 30_000,
      parse: (_topic, value) => parseBalanceChanged(value), deadLetters: { topic: Topics.balanceChangedDeadLetter, send: true },
      // A feed that crashed or stopped leaves subscriptions silent: readiness says so.
      health: this.health, logger: this.logger,
    }, async (batch) => {
      for (const { event } of batch.messages) {
        if (!this.sequences.isNewer(event.aui, BigInt(event.sequence))) continue;
        publisher.publish({ topic: earningsTopic(event.aui), payload: { aui: event.aui, sequence: event.sequence } });
      }
    });
    this.logger.info({ groupId: this.running.groupId }, 'live balance feed joined');
  }

  async stop(): Promise<void> {
    await this.running?.stop();
  }
}
