import { decideScheduledApproval, FirstPromoterApprovalMode, pendingCommissionOf } from '@earnings/domain';
import { FirstPromoterApiClient } from '@earnings/sources';
import type { Logger } from 'pino';
import { ApprovalRequestedBy, FirstPromoterApprovalRepository } from './firstpromoter-approval.repository';

/** Pending commissions one scheduled run reads at most; the next run reads them again. */
const pendingListedMax = 100_000;
/** Ids queued per statement. */
const queueChunkIdsMax = 1_000;

export interface ApprovalRunSummary {
  mode: string;
  listed: number;
  queued: number;
  skipped: Partial<Record<'too-recent' | 'fraud-suspected' | 'not-pending', number>>;
}

/**
 * Approving FirstPromoter commissions, for partners who do not let FirstPromoter auto-approve:
 * `after-days:N` queues pending commissions older than N days (never one FirstPromoter's fraud
 * check flagged), `manual` only what an operator names. FirstPromoterActionRunner calls the
 * approve endpoint for the queue and follows its batch processes; FirstPromoter then announces
 * each approval (commission.updated, or the next pull), and the reward is delivered as usual.
 */
export class FirstPromoterApprovalService {
  constructor(
    private readonly client: FirstPromoterApiClient,
    private readonly approvals: FirstPromoterApprovalRepository,
    private readonly mode: FirstPromoterApprovalMode,
    private readonly logger: Logger,
  ) {}

  /** Counts commissions a scheduled run left pending, per reason (the module points it at a metric). */
  onSkipped: (reason: string, count: number) => void = () => undefined;

  /** The scheduled run. Only `after-days` approves anything by itself. */
  async queueDue(now: Date): Promise<ApprovalRunSummary> {
    const summary: ApprovalRunSummary = { mode: this.modeText(), listed: 0, queued: 0, skipped: {} };
    if (this.mode.kind !== 'after-days') return summary;
    let due: string[] = [];
    for await (const listed of this.client.listCommissions({ page: 1, perPage: 100, status: 'pending' })) {
      summary.listed += 1;
      const pending = pendingCommissionOf(listed);
      const decision = pending === null ? { approve: false as const, reason: 'not-pending' as const } : decideScheduledApproval(pending, this.mode, now.toISOString());
      if (decision.approve) due.push(pending!.commissionId);
      else if (decision.reason !== 'mode-does-not-approve') summary.skipped[decision.reason] = (summary.skipped[decision.reason] ?? 0) + 1;
      if (due.length >= queueChunkIdsMax) {
        summary.queued += await this.queue(due, 'schedule');
        due = [];
      }
      if (summary.listed >= pendingListedMax) break;
    }
    summary.queued += await this.queue(due, 'schedule');
    for (const [reason, count] of Object.entries(summary.skipped)) this.onSkipped(reason, count);
    this.logger.info(summary, 'firstpromoter approval run queued the commissions due');
    return summary;
  }

  /** An operator's ids, in any mode: approving on purpose is always the partner's call. */
  async requestByOperator(ids: readonly string[]): Promise<{ queued: string[]; alreadyQueued: number }> {
    const unique = [...new Set(ids)];
    const queued = await this.approvals.request(unique, 'operator');
    this.logger.info({ queued: queued.length, asked: unique.length }, 'firstpromoter approvals requested by an operator');
    return { queued, alreadyQueued: unique.length - queued.length };
  }

  list(state: string | null, limit: number) {
    return this.approvals.list(state, limit);
  }

  private async queue(ids: string[], requestedBy: ApprovalRequestedBy): Promise<number> {
    return (await this.approvals.request(ids, requestedBy)).length;
  }

  private modeText(): string {
    return this.mode.kind === 'after-days' ? `after-days:${this.mode.days}` : this.mode.kind;
  }
}
