import { Topics } from '@earnings/contracts';
import { backoffDelayMs, Decimal, fractionDigitsOf, isCurrencyUnit, PayoutPolicy, PayoutProgress, PayoutTransition, transitionPayout } from '@earnings/domain';
import type { Logger } from 'pino';
import { PayoutProvider, ProviderAnswer } from '../providers/payout-provider';
import { RewardFulfilmentRepository } from '../rewards/reward-fulfilment.repository';
import { AnnouncedPayout, payoutEvents } from './payout-events';
import { EntityManager } from 'typeorm';
import { PayoutRepository, PayoutRow } from './payout.repository';

export interface ProcessorOptions {
  batchMax: number;
  concurrencyMax: number;
  providerTimeoutMs: number;
  /** How long after the provider first accepted a payout it is asked again; later asks back off from here. */
  pollDelayMs: number;
  /** The longest wait between asks about a payout still on its way (PayPal ONHOLD or UNCLAIMED can last days). */
  pollIntervalMsMax: number;
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
 * transaction, so a payout never succeeds without its PayoutExecuted in the outbox. Any number of
 * processes run this side by side: each attempt works on a payout this process leased
 * (PayoutRepository.claimDue) and records its outcome only while the lease is still its own.
 */
export class PayoutProcessor {
  /** One attempt makes up to three calls (a token, the submission, a poll of a duplicate): the lease outlasts them. */
  private readonly leaseMs: number;

  constructor(
    private readonly payouts: PayoutRepository,
    private readonly providers: ReadonlyMap<string, PayoutProvider>,
    private readonly policy: PayoutPolicy,
    private readonly options: ProcessorOptions,
    private readonly logger: Logger,
    private readonly fulfilments: RewardFulfilmentRepository,
  ) {
    this.leaseMs = options.providerTimeoutMs * 3 + 1_000;
  }

  /**
   * One pass over due payouts, at most `batchMax`, `concurrencyMax` at once; returns how many it
   * handled. Each payout is claimed right before its attempt starts, so its lease covers one attempt.
   */
  async processDue(): Promise<number> {
    const first = await this.payouts.claimDue(Math.min(this.options.concurrencyMax, this.options.batchMax), this.leaseMs);
    const waiting = [...first];
    let claimed = first.length;
    let drained = first.length < Math.min(this.options.concurrencyMax, this.options.batchMax);
    const worker = async () => {
      for (;;) {
        let payout = waiting.shift();
        if (payout === undefined) {
          if (drained || claimed >= this.options.batchMax) return;
          claimed += 1;
          [payout] = await this.payouts.claimDue(1, this.leaseMs);
          if (payout === undefined) {
            claimed -= 1;
            drained = true;
            return;
          }
        }
        const attempted = payout;
        await this.attempt(attempted).catch((error: unknown) => this.logger.error({ payoutId: attempted.payout_id, err: error }, 'payout attempt failed; retried once its lease expires'));
      }
    };
    await Promise.all(first.map(worker));
    return claimed;
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
      const delayMs = backoffDelayMs(payout.attempt_count + 1, { firstMs: 250, maxMs: this.options.retryDelayMsMax });
      this.logger.warn({ payoutId: payout.payout_id, reason: answer.reason, delayMs }, 'payout provider unavailable; retrying');
      if (!(await this.payouts.retryLater(payout.payout_id, delayMs))) this.leaseLost(payout);
      return;
    }
    const progress = progressOf(answer);
    const providerStatus = answer.outcome === 'pending' ? (answer.status ?? null) : null;
    await this.payouts.transaction(async (manager) => {
      const current = await this.payouts.lockPayout(manager, payout.payout_id);
      if (current === null) throw new Error(`payout ${payout.payout_id} vanished`);
      if (current.lease_owner !== this.payouts.leaseOwner) return this.leaseLost(current);
      const transition = transitionPayout(current.state, progress);
      if (transition.changed) await this.recordTransition(manager, current, transition.state, progress, providerStatus);
      else await this.recordUnchanged(manager, current, transition, progress, providerStatus);
    });
  }

  /**
   * The provider said nothing new. A payout still on its way (PayPal PENDING, ONHOLD, UNCLAIMED)
   * is asked again later, backing off; a succeeded one under watch at the watch's interval.
   */
  private async recordUnchanged(manager: EntityManager, current: PayoutRow, transition: Extract<PayoutTransition, { changed: false }>, progress: PayoutProgress, providerStatus: string | null): Promise<void> {
    if (transition.reason === 'final-state') this.logger.error({ payoutId: current.payout_id, state: current.state, progress }, 'provider contradicts a final payout state; ignored');
    const delayMs = current.state === 'succeeded'
      ? this.options.returnPollIntervalMs
      : backoffDelayMs(current.attempt_count + 1, { firstMs: this.options.pollDelayMs, maxMs: this.options.pollIntervalMsMax });
    if (providerStatus !== null && providerStatus !== current.provider_status) this.logger.info({ payoutId: current.payout_id, providerStatus, nextPollInMs: delayMs }, 'payout still on its way at the provider');
    await this.payouts.retryLater(current.payout_id, delayMs, { providerStatus }, manager);
  }

  private async recordTransition(manager: EntityManager, current: PayoutRow, state: PayoutRow['state'], progress: PayoutProgress, providerStatus: string | null): Promise<void> {
    const now = new Date().toISOString();
    switch (state) {
      case 'submitted':
        await this.payouts.setState(manager, current.payout_id, 'submitted', { providerReference: referenceOf(progress), nextAttemptInMs: this.options.pollDelayMs, providerStatus });
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
        const reason = progress.type === 'ProviderReturned' || progress.type === 'ProviderFailed' ? progress.reason : 'returned';
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
        const unreachable: never = state;
        throw new Error(`unknown payout state ${String(unreachable)}`);
      }
    }
  }

  /**
   * This process no longer holds the payout: its lease expired and another process took it over
   * (what that one records stands; the provider deduplicated the calls), or an operator ended it.
   */
  private leaseLost(payout: PayoutRow): void {
    this.logger.warn({ payoutId: payout.payout_id, leaseOwner: payout.lease_owner }, 'this process no longer holds the payout (lease expired and taken over, or ended by an operator); this attempt\'s outcome is not recorded');
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
