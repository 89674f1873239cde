import { randomUUID } from 'node:crypto';
import { Topics } from '@earnings/contracts';
import { coverCashPayout, coverRewardPayout, Decimal, decidePayout, fractionDigitsOf, isCurrencyUnit, NoPayoutReason, PayoutPolicy, spendableOf } from '@earnings/domain';
import type { Logger } from 'pino';
import { EntityManager } from 'typeorm';
import { isPayoutMethod, PayoutMethod } from '../providers/payout-provider';
import { RewardRepository } from '../rewards/reward.repository';
import { payoutEvents } from './payout-events';
import { CandidateRow, NewPayout, PayoutRepository } from './payout.repository';

export interface PayoutRunSummary {
  runId: string;
  considered: number;
  requested: number;
  /** Payouts another run had requested already (their idempotency key existed): a normal outcome. */
  alreadyRequested: number;
  /**
   * Balances not paid, by reason. `view-behind`: the ledger had announced a change of the user
   * that this service's view had not consumed yet (or the ledger moved while the run read it), or
   * a reward balance's commissions copy lagged; the next run decides on fresh figures.
   */
  skipped: Partial<Record<NoPayoutReason | 'no-method' | 'no-destination' | 'view-behind', number>>;
  /** Payouts requested and held for the partner's review (PAYOUT_REVIEW): they leave once approved through the admin API. */
  inReview: number;
  /**
   * Reward units listed in the thresholds are paid from this service's own copy of the reward
   * commissions (its reward consumer of commission-observed): whether that copy had caught up with
   * the topic's end as of the run's start (messagesBehind null: it could not be told). When it had
   * not, reward balances are skipped as `view-behind` and paid by a later run. The same copy carries
   * FirstPromoter's fraud flags: while it lags, a balance holding FirstPromoter commissions is
   * skipped as `view-behind` too (a flag not applied yet must not be paid). Absent when the
   * service runs without the reward consumer.
   */
  rewardCommissions?: { caughtUp: boolean; messagesBehind: string | null };
}

/** How far this service's reward consumer is from commission-observed's end offsets taken when asked, after waiting up to `waitMsMax` for it. */
export interface RewardInputsProgress {
  messagesBehind(waitMsMax: number): Promise<bigint>;
}

/**
 * A payout run: in one transaction under a run lock, decide every eligible balance whose view is
 * as new as the ledger, decide which commissions each payout covers, insert the payouts in state
 * `requested` and announce each as PayoutRequested (the outbox), so the ledger holds the amount at
 * once. The row is the reservation; money moves later, in the processor, and PayoutExecuted
 * carries the coverage the run decided. A crash before commit leaves nothing; after commit the
 * processor finds the rows.
 */
export class PayoutRunService {
  constructor(
    private readonly payouts: PayoutRepository,
    private readonly rewards: RewardRepository,
    private readonly policy: PayoutPolicy,
    private readonly options: { auiPrefix: string; defaultMethod: PayoutMethod | null; rewardFulfiller: 'ledger_credit' | 'http_webhook'; rewardInputsWaitMsMax: number },
    private readonly logger: Logger,
    private readonly rewardInputs: RewardInputsProgress | null,
  ) {}

  /** Where each run's skipped balances are counted per reason (the module points it at a Prometheus counter). */
  onSkipped: (reason: string, count: number) => void = () => undefined;

  async run(now: Date): Promise<PayoutRunSummary> {
    const runId = `run_${randomUUID()}`;
    const rewardCommissions = await this.rewardInputsAtStart();
    const summary = await this.payouts.transaction(async (manager) => {
      await this.payouts.lockRuns(manager);
      const candidates = await this.payouts.candidates(manager, [...this.policy.thresholds.keys()], this.options.auiPrefix);
      const skipped: PayoutRunSummary['skipped'] = {};
      const planned: Omit<NewPayout, 'coveredCommissions'>[] = [];
      for (const candidate of candidates) {
        // Decide only on figures at least as new as the ledger's: a stale view may still show money a rejection already took.
        // A reward payout covers the commissions this service's copy knows: never decided on a copy that lags.
        if (candidate.view_behind || (rewardCommissions?.caughtUp === false && (!isCurrencyUnit(candidate.unit) || candidate.has_flaggable))) {
          skipped['view-behind'] = (skipped['view-behind'] ?? 0) + 1;
          continue;
        }
        const decision = decidePayout({
          aui: candidate.aui, unit: candidate.unit, spendable: spendableOfCandidate(candidate), securityHoldUntil: candidate.security_hold_until,
        }, this.policy, now);
        if (decision.kind === 'none') {
          skipped[decision.reason] = (skipped[decision.reason] ?? 0) + 1;
          continue;
        }
        const chosen = this.methodOf(candidate.unit, candidate.method, candidate.destination);
        if (chosen === null) {
          skipped['no-method'] = (skipped['no-method'] ?? 0) + 1;
          continue;
        }
        const { method, destination } = chosen;
        if ((method === 'paypal' || method === 'gift_card') && destination === null) {
          skipped['no-destination'] = (skipped['no-destination'] ?? 0) + 1;
          continue;
        }
        planned.push({
          payoutId: `po_${randomUUID()}`,
          // The n-th payout of this balance: a concurrent run deciding the same one collides on the unique index.
          idempotencyKey: JSON.stringify([candidate.aui, candidate.unit, Number(candidate.payout_count) + 1]),
          aui: candidate.aui, unit: candidate.unit, amount: decision.amount.toFixed(), method, destination, runId, review: decision.review,
        });
      }
      const { payouts, coverage } = await this.cover(manager, planned, skipped);
      const inserted = new Set(await this.payouts.insertPayouts(manager, payouts));
      await this.rewards.recordCoverage(manager, coverage.filter((entry) => inserted.has(entry.payoutId)));
      const requestedAt = now.toISOString();
      await this.payouts.appendOutboxMany(manager, Topics.payoutLifecycle, payouts.filter((payout) => inserted.has(payout.payoutId)).map((payout) => ({ key: payout.aui, payload: payoutEvents.requested(payout, requestedAt) })));
      const inReview = payouts.filter((payout) => payout.review && inserted.has(payout.payoutId)).length;
      return { runId, considered: candidates.length, requested: inserted.size, alreadyRequested: payouts.length - inserted.size, inReview, skipped, ...(rewardCommissions === undefined ? {} : { rewardCommissions }) };
    });
    for (const [reason, count] of Object.entries(summary.skipped)) this.onSkipped(reason, count);
    this.logger.info(summary, 'payout run requested payouts');
    return summary;
  }

  /**
   * Before a run: waits (up to rewardInputsWaitMsMax) for the reward consumer (reward commissions
   * and fraud flags) to apply commission-observed up to its end offsets as of now. Undefined
   * without the consumer.
   */
  private async rewardInputsAtStart(): Promise<PayoutRunSummary['rewardCommissions']> {
    if (this.rewardInputs === null) return undefined;
    try {
      const behind = await this.rewardInputs.messagesBehind(this.options.rewardInputsWaitMsMax);
      if (behind > 0n) this.logger.warn({ messagesBehind: behind.toString() }, 'the reward consumer is behind commission-observed: this run pays no reward balance nor one holding FirstPromoter commissions (view-behind)');
      return { caughtUp: behind === 0n, messagesBehind: behind.toString() };
    } catch (error) {
      this.logger.error({ err: error }, 'could not tell whether the reward consumer caught up: this run pays no reward balance (view-behind)');
      return { caughtUp: false, messagesBehind: null };
    }
  }

  /**
   * What each planned payout covers. Cash: the user's commissions still owed, by merchant order,
   * oldest first (coverCashPayout), read from the ledger's commissions and this service's own
   * payouts; the amounts travel in PayoutRequested's row to PayoutExecuted, where the ledger records
   * them. A reward unit paid by threshold pays the approved commissions it still owes, oldest first
   * (coverRewardPayout): the payout covers, and FirstPromoter hears fulfilled, exactly the ones it
   * pays in full.
   */
  private async cover(manager: EntityManager, planned: Omit<NewPayout, 'coveredCommissions'>[], skipped: PayoutRunSummary['skipped']) {
    const cash = planned.filter((payout) => isCurrencyUnit(payout.unit));
    const outstanding = await this.payouts.outstandingCommissions(manager, cash);
    const owed = await this.rewards.owedCommissions(manager, [...new Set(planned.filter((payout) => !isCurrencyUnit(payout.unit)).map((payout) => payout.aui))]);
    const payouts: NewPayout[] = [];
    const coverage: { payoutId: string; commissionId: string; amount: Decimal }[] = [];
    for (const payout of planned) {
      const key = JSON.stringify([payout.aui, payout.unit]);
      if (isCurrencyUnit(payout.unit)) {
        const covered = coverCashPayout(outstanding.get(key) ?? [], new Decimal(payout.amount));
        if (covered.kind === 'short') {
          // The ledger moved between the figures and the commissions: the next run sees both new.
          this.logger.warn({ aui: payout.aui, unit: payout.unit, amount: payout.amount, owed: covered.owed.toFixed() }, 'commissions owe less than the figures said; not paying this run');
          skipped['view-behind'] = (skipped['view-behind'] ?? 0) + 1;
          continue;
        }
        payouts.push({ ...payout, coveredCommissions: covered.covered.map((entry) => ({ source: entry.source, commissionId: entry.commissionId, amount: entry.amount.toFixed() })) });
        continue;
      }
      const covered = coverRewardPayout(owed.get(key) ?? [], new Decimal(payout.amount), this.policy.thresholds.get(payout.unit)!, fractionDigitsOf(payout.unit, this.policy));
      if (covered.kind === 'none') {
        skipped[covered.reason] = (skipped[covered.reason] ?? 0) + 1;
        continue;
      }
      const paidInFull = new Map(covered.paid.map((entry) => [entry.commissionId, entry.amount]));
      payouts.push({
        ...payout, amount: covered.amount.toFixed(),
        coveredCommissions: covered.covered.map((commissionId) => ({ source: 'firstpromoter', commissionId, amount: paidInFull.get(commissionId)!.toFixed() })),
      });
      coverage.push(...covered.paid.map((entry) => ({ payoutId: payout.payoutId, ...entry })));
    }
    return { payouts, coverage };
  }

  /** Rewards (credits, points, ...) go by the configured fulfiller; money by the user's chosen method, else the partner's explicit default, else not at all. */
  private methodOf(unit: string, method: string | null, destination: string | null): { method: string; destination: string | null } | null {
    if (!isCurrencyUnit(unit)) return { method: this.options.rewardFulfiller, destination: null };
    if (method !== null && isPayoutMethod(method)) return { method, destination };
    return this.options.defaultMethod === null ? null : { method: this.options.defaultMethod, destination: null };
  }
}

function spendableOfCandidate(candidate: CandidateRow): Decimal {
  const ledger = {
    payable: new Decimal(candidate.payable), paidOut: new Decimal(candidate.paid_out),
    reserved: new Decimal(candidate.reserved), pendingReversals: new Decimal(candidate.pending_reversals),
  };
  return spendableOf(ledger, new Decimal(candidate.committed), new Decimal(candidate.flagged_held));
}
