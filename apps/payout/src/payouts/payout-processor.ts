import { Topics } from '@earnings/contracts';
import { Decimal, fractionDigitsOf, isCurrencyUnit, PayoutPolicy, PayoutProgress, transitionPayout } from '@earnings/domain';
import type { Logger } from 'pino';
import { PayoutProvider, ProviderAnswer } from '../providers/payout-provider';
import { RewardFulfilmentRepository } from '../rewards/reward-fulfilment.repository';
import { AnnouncedPayout, payoutEvents } from './payout-events';
import { PayoutRepository, PayoutRow } from './payout.repository';

export interface ProcessorOptions {
  batchMax: number;
  concurrencyMax: number;
  providerTimeoutMs: number;
  /** How long after "pending" the provider is asked again. */
  pollDelayMs: number;
  retryDelayMsMax: number;
  /** How long after success a payout that can come back (PayPal, gift card) is still asked about; 0: never. */
  returnWatchMs: number;
  /** How often such a payout is asked about meanwhile. */
  returnPollIntervalMs: number;
}

/** Methods whose money can come back after success; the others (credits, rewards) never change once delivered. */
const methodsWatchedForReturns = new Set(['paypal', 'gift_card']);

/**
 * Moves payouts in flight through their providers. Every call carries the payout id as the
 * provider's idempotency key, so an attempt repeated after a crash (at any instant) finds the
 * first one instead of paying again. The final state and its event are written in one
 * transaction, so a payout never succeeds without its PayoutExecuted in the outbox.
 */
export class PayoutProcessor {
  constructor(
    private readonly payouts: PayoutRepository,
    private readonly providers: ReadonlyMap<string, PayoutProvider>,
    private readonly policy: PayoutPolicy,
    private readonly options: ProcessorOptions,
    private readonly logger: Logger,
    private readonly fulfilments: RewardFulfilmentRepository,
  ) {}

  /** One pass over due payouts; returns how many it handled. */
  async processDue(): Promise<number> {
    // The lease outlasts an attempt, so the next tick never starts the same payout again meanwhile.
    const due = await this.payouts.claimDue(this.options.batchMax, this.options.providerTimeoutMs * 3 + 1_000);
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const payout = due[next];
        next += 1;
        await this.attempt(payout).catch((error: unknown) => this.logger.error({ payoutId: payout.payout_id, err: error }, 'payout attempt failed; retried later'));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrencyMax, due.length) }, worker));
    return due.length;
  }

  private async attempt(payout: PayoutRow): Promise<void> {
    const provider = this.providers.get(payout.method);
    if (provider === undefined) throw new Error(`payout ${payout.payout_id} has method ${payout.method} with no provider configured`);
    const answer = await provider.submitOrPoll({
      payoutId: payout.payout_id,
      aui: payout.aui,
      unit: payout.unit,
      amountText: new Decimal(payout.amount).toFixed(fractionDigitsOf(payout.unit, this.policy)),
      destination: payout.destination,
      knownReference: payout.provider_reference,
    });
    await this.record(payout, answer);
  }

  private async record(payout: PayoutRow, answer: ProviderAnswer): Promise<void> {
    if (answer.outcome === 'retry') {
      const delayMs = Math.min(this.options.retryDelayMsMax, 250 * 2 ** Math.min(payout.attempt_count, 10));
      this.logger.warn({ payoutId: payout.payout_id, reason: answer.reason, delayMs }, 'payout provider unavailable; retrying');
      await this.payouts.retryLater(payout.payout_id, delayMs);
      return;
    }
    const progress = progressOf(answer);
    await this.payouts.transaction(async (manager) => {
      const current = await this.payouts.lockPayout(manager, payout.payout_id);
      if (current === null) throw new Error(`payout ${payout.payout_id} vanished`);
      const transition = transitionPayout(current.state, progress);
      if (!transition.changed) {
        if (transition.reason === 'final-state') this.logger.error({ payoutId: payout.payout_id, state: current.state, progress }, 'provider contradicts a final payout state; ignored');
        // A succeeded payout under watch is asked again later, until its watch ends.
        if (current.state === 'succeeded') await this.payouts.retryLater(current.payout_id, this.options.returnPollIntervalMs, manager);
        return;
      }
      const now = new Date().toISOString();
      switch (transition.state) {
        case 'submitted':
          await this.payouts.setState(manager, current.payout_id, 'submitted', { providerReference: referenceOf(progress), nextAttemptInMs: this.options.pollDelayMs });
          await this.payouts.appendOutbox(manager, Topics.payoutLifecycle, current.aui, payoutEvents.submitted(announcedOf(current), now));
          return;
        case 'succeeded': {
          const watched = methodsWatchedForReturns.has(current.method) && this.options.returnWatchMs > 0;
          await this.payouts.setState(manager, current.payout_id, 'succeeded', {
            providerReference: referenceOf(progress), nextAttemptInMs: this.options.returnPollIntervalMs, returnWatchMs: watched ? this.options.returnWatchMs : undefined,
          });
          await this.payouts.appendOutbox(manager, Topics.payoutExecuted, current.aui, payoutEvents.executed(announcedOf(current), referenceOf(progress) ?? current.provider_reference, current.covered_commissions, now));
          // FirstPromoter should know exactly the commissions this reward payout delivered fulfilled.
          if (!isCurrencyUnit(current.unit)) await this.fulfilments.delivered(manager, current.payout_id, current.covered_commissions.filter((covered) => covered.source === 'firstpromoter').map((covered) => covered.commissionId));
          return;
        }
        case 'returned': {
          const reason = progress.type === 'ProviderReturned' ? progress.reason : 'returned';
          await this.payouts.setState(manager, current.payout_id, 'returned', { failureReason: reason });
          await this.payouts.appendOutbox(manager, Topics.payoutLifecycle, current.aui, payoutEvents.returned(announcedOf(current), reason, now));
          this.logger.warn({ payoutId: current.payout_id, reason }, 'payout came back after success; the amount is available again');
          return;
        }
        case 'failed': {
          const reason = progress.type === 'ProviderFailed' || progress.type === 'ProviderReturned' ? progress.reason : 'failed';
          await this.payouts.setState(manager, current.payout_id, 'failed', { failureReason: reason });
          await this.payouts.appendOutbox(manager, Topics.payoutFailed, current.aui, payoutEvents.failed(announcedOf(current), reason, now));
          this.logger.warn({ payoutId: current.payout_id, reason }, 'payout failed; its reservation is released');
          return;
        }
        case 'requested':
          throw new Error('no progress leads back to requested');
        default: {
          const unreachable: never = transition.state;
          throw new Error(`unknown payout state ${String(unreachable)}`);
        }
      }
    });
  }
}

function progressOf(answer: Exclude<ProviderAnswer, { outcome: 'retry' }>): PayoutProgress {
  switch (answer.outcome) {
    case 'succeeded':
      return { type: 'ProviderSucceeded', providerReference: answer.reference };
    case 'pending':
      return { type: 'ProviderAccepted', providerReference: answer.reference };
    case 'failed':
      return { type: 'ProviderFailed', reason: answer.reason };
    case 'returned':
      return { type: 'ProviderReturned', reason: answer.reason };
    default: {
      const unreachable: never = answer;
      throw new Error(`unknown provider answer ${JSON.stringify(unreachable)}`);
    }
  }
}

function referenceOf(progress: PayoutProgress): string | null {
  return progress.type === 'ProviderAccepted' || progress.type === 'ProviderSucceeded' ? progress.providerReference : null;
}

/** The payout row as its events name it. */
function announcedOf(payout: PayoutRow): AnnouncedPayout {
  return { payoutId: payout.payout_id, aui: payout.aui, unit: payout.unit, amount: payout.amount, method: payout.method };
}
