import { randomUUID } from 'node:crypto';
import { Decimal, decidePayout, isCurrencyUnit, NoPayoutReason, PayoutPolicy } from '@earnings/domain';
import type { Logger } from 'pino';
import { isPayoutMethod, PayoutMethod } from '../providers/payout-provider';
import { NewPayout, PayoutRepository } from './payout.repository';

export interface PayoutRunSummary {
  runId: string;
  considered: number;
  requested: number;
  /** Payouts another run had requested already (their idempotency key existed): a normal outcome. */
  alreadyRequested: number;
  skipped: Partial<Record<NoPayoutReason | 'no-destination', number>>;
}

/**
 * A payout run: in one transaction under a run lock, decide every eligible balance and insert the
 * payouts in state `requested`. The row is the reservation; money moves later, in the processor.
 * A crash before commit leaves nothing; after commit the processor finds the rows.
 */
export class PayoutRunService {
  constructor(
    private readonly payouts: PayoutRepository,
    private readonly policy: PayoutPolicy,
    private readonly options: { auiPrefix: string; defaultMethod: PayoutMethod; rewardFulfiller: 'ledger_credit' | 'http_webhook' },
    private readonly logger: Logger,
  ) {}

  async run(now: Date): Promise<PayoutRunSummary> {
    const runId = `run_${randomUUID()}`;
    const summary = await this.payouts.transaction(async (manager) => {
      await this.payouts.lockRuns(manager);
      const candidates = await this.payouts.candidates(manager, [...this.policy.thresholds.keys()], this.options.auiPrefix);
      const skipped: PayoutRunSummary['skipped'] = {};
      const planned: Omit<NewPayout, 'coveredCommissions'>[] = [];
      for (const candidate of candidates) {
        const decision = decidePayout({ aui: candidate.aui, unit: candidate.unit, spendable: new Decimal(candidate.spendable) }, this.policy, now);
        if (decision.kind === 'none') {
          skipped[decision.reason] = (skipped[decision.reason] ?? 0) + 1;
          continue;
        }
        const { method, destination } = this.methodOf(candidate.unit, candidate.method, candidate.destination);
        if ((method === 'paypal' || method === 'gift_card') && destination === null) {
          skipped['no-destination'] = (skipped['no-destination'] ?? 0) + 1;
          continue;
        }
        planned.push({
          payoutId: `po_${randomUUID()}`,
          // The n-th payout of this balance: a concurrent run deciding the same one collides on the unique index.
          idempotencyKey: JSON.stringify([candidate.aui, candidate.unit, Number(candidate.payout_count) + 1]),
          aui: candidate.aui, unit: candidate.unit, amount: decision.amount.toFixed(), method, destination, runId,
        });
      }
      const covered = await this.payouts.payableCommissions(manager, [...new Set(planned.map((payout) => payout.aui))]);
      const inserted = await this.payouts.insertPayouts(manager, planned.map((payout) => ({ ...payout, coveredCommissions: covered.get(JSON.stringify([payout.aui, payout.unit])) ?? [] })));
      return { runId, considered: candidates.length, requested: inserted.length, alreadyRequested: planned.length - inserted.length, skipped };
    });
    this.logger.info(summary, 'payout run requested payouts');
    return summary;
  }

  /** Rewards (credits, points, ...) go by the configured fulfiller; money by the user's chosen method. */
  private methodOf(unit: string, method: string | null, destination: string | null): { method: string; destination: string | null } {
    if (!isCurrencyUnit(unit)) return { method: this.options.rewardFulfiller, destination: null };
    if (method !== null && isPayoutMethod(method)) return { method, destination };
    return { method: this.options.defaultMethod, destination: null };
  }
}
