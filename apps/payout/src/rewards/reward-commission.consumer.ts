import { CommissionObserved, parseCommissionObserved, Topics } from '@earnings/contracts';
import { batchValues, RunningMessageConsumer, startMessageConsumer } from '@earnings/kafka';
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
 * ledger's tables. A message that breaks the
 * schema is the projector's to dead-letter; here it is skipped and logged.
 */
export class RewardCommissionConsumer {
  private running: RunningMessageConsumer | null = null;
  private starting: Promise<RunningMessageConsumer> | null = null;

  constructor(
    private readonly kafka: Parameters<typeof startMessageConsumer>[0],
    private readonly deliveries: RewardDeliveryService,
    private readonly options: RewardCommissionConsumerOptions,
    private readonly logger: Logger,
    private readonly health: ApplyingHealth,
    /** Records the commissions a fraud check flagged, before any reward of them is delivered. */
    private readonly recordFlags: (observations: CommissionObserved[]) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    this.starting = startMessageConsumer(
      this.kafka,
      { groupId: this.options.groupId, topic: Topics.commissionObserved, sessionTimeoutMs: this.options.sessionTimeoutMs, fromBeginning: true },
      async (batch) => {
        const observations = this.readable(batchValues(batch));
        await this.recordFlags(observations);
        await this.deliveries.apply(observations);
      },
      this.health,
    );
    this.running = await this.starting;
  }

  /** Waits for a start still joining its group, so a shutdown never leaves a connection behind. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.running?.stop();
  }

  private readable(values: string[]): CommissionObserved[] {
    const observations: CommissionObserved[] = [];
    for (const value of values) {
      const parsed = parseCommissionObserved(value);
      if (parsed.ok) observations.push(parsed.value);
      else this.logger.error({ problem: parsed.reason }, 'unreadable commission-observed message skipped by the reward consumer');
    }
    return observations;
  }
}
