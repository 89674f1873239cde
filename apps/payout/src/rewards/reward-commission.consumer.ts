import { CommissionObserved, parseCommissionObserved, Topics } from '@earnings/contracts';
import { KafkaClient, runConsumer, RunningConsumer } from '@earnings/kafka';
import { ApplyingHealth } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { RewardDeliveryService } from './reward-delivery.service';

export interface RewardCommissionConsumerOptions {
  groupId: string;
  sessionTimeoutMs: number;
}

/**
 * The payout service learns FirstPromoter reward commissions, and the commissions a fraud check
 * flagged, from commission-observed itself (its own group and tables) instead of reading the
 * ledger's tables. A message that breaks the schema goes to the dead-letter topic naming this
 * consumer's group, as every consumer's does.
 */
export class RewardCommissionConsumer {
  private running: RunningConsumer | null = null;
  private starting: Promise<RunningConsumer> | null = null;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly deliveries: RewardDeliveryService,
    private readonly options: RewardCommissionConsumerOptions,
    private readonly logger: Logger,
    private readonly health: ApplyingHealth,
    /** Records the commissions a fraud check flagged, before any reward of them is delivered. */
    private readonly recordFlags: (observations: CommissionObserved[]) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    this.starting = runConsumer(this.kafka, {
      groupId: this.options.groupId, topics: [Topics.commissionObserved], offsets: { kind: 'committed', fromBeginning: true },
      sessionTimeoutMs: this.options.sessionTimeoutMs, parse: (_topic, value) => parseCommissionObserved(value),
      deadLetters: { topic: Topics.commissionObservedDeadLetter, send: true }, health: this.health, logger: this.logger,
    }, async (batch) => {
      const observations = batch.messages.map((message) => message.event);
      // Flags first: a flagged commission is never delivered, even from this very batch.
      await this.recordFlags(observations);
      await this.deliveries.apply(observations);
    });
    this.running = await this.starting;
  }

  /** Waits for a start still joining its group, so a shutdown never leaves a connection behind. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.running?.stop();
  }
}
