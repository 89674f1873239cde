import { refusedIdsNamed } from '@earnings/domain';
import { FirstPromoterApiClient, FirstPromoterApiError } from '@earnings/sources';
import type { Logger } from 'pino';
import { MarkAction, RewardFulfilmentRepository } from '../rewards/reward-fulfilment.repository';

/** Ids per call: FirstPromoter runs more than 5 as a batch process, which is then followed by its id. */
export const markIdsPerCallMax = 100;
/** Calls of one id each per pass, for ids refused once within a shared call. */
const aloneCallsPerPassMax = 10;
const batchesFollowedPerPassMax = 10;
/** How soon a running batch process is looked at again. */
const batchPollDelayMs = 1_000;

type Batch = Awaited<ReturnType<FirstPromoterApiClient['startAction']>>;

/**
 * Tells FirstPromoter that delivered rewards were fulfilled (mark_fulfilled) or taken back
 * (mark_unfulfilled), per commission: an id FirstPromoter refuses waits on its own backoff and
 * is tried alone, so it never blocks another; a batch process is followed by its id until it
 * ends and never re-posted meanwhile. A crash between a call and its record repeats the call,
 * which FirstPromoter treats as a no-op.
 */
export class RewardFulfilmentMarker {
  constructor(private readonly rows: RewardFulfilmentRepository, private readonly client: FirstPromoterApiClient, private readonly logger: Logger) {}

  /** Counts ids FirstPromoter did not take, per action and error code (the module points it at a metric). */
  onFailure: (action: MarkAction, code: string, count: number) => void = () => undefined;

  async markOnce(): Promise<number> {
    return this.pass('mark_fulfilled');
  }

  async unmarkOnce(): Promise<number> {
    return this.pass('mark_unfulfilled');
  }

  private async pass(action: MarkAction): Promise<number> {
    let handled = 0;
    for (const batch of await this.rows.dueBatches(action, batchesFollowedPerPassMax)) {
      handled += batch.ids.length;
      await this.attempt(action, batch.ids, () => this.client.batchProcess(batch.batchId));
    }
    const shared = await this.rows.dueIds(action, false, markIdsPerCallMax);
    if (shared.length > 0) await this.attempt(action, shared, () => this.client.startAction(action, shared));
    const alone = await this.rows.dueIds(action, true, aloneCallsPerPassMax);
    for (const id of alone) await this.attempt(action, [id], () => this.client.startAction(action, [id]));
    return handled + shared.length + alone.length;
  }

  private async attempt(action: MarkAction, ids: string[], call: () => Promise<Batch>): Promise<void> {
    try {
      await this.settle(action, ids, await call());
    } catch (error) {
      if (!(error instanceof FirstPromoterApiError)) throw error;
      // Refused as a whole (an unknown id, say): each id is tried alone, so only the bad one keeps failing.
      if (!error.retryable && ids.length > 1) await this.rows.separate(ids);
      else await this.fail(action, ids, error.code, error.message);
    }
  }

  private async settle(action: MarkAction, ids: string[], batch: Batch): Promise<void> {
    switch (batch.status) {
      case 'pending':
      case 'in_progress':
        if (batch.id === null) return this.fail(action, ids, 'bad-response', `${action}: running without a batch id to follow`);
        return this.rows.following(ids, batch.id, batchPollDelayMs);
      case 'completed':
        return this.completed(action, ids, batch);
      case 'failed':
      case 'stopped':
        return ids.length > 1 ? this.rows.separate(ids) : this.fail(action, ids, `batch-${batch.status}`, `${action}: batch ${batch.id ?? '(no id)'} ${batch.status}`);
    }
  }

  /** "completed" only means the run ended: the ids its errors name failed; if they name none, no id can be trusted as done. */
  private async completed(action: MarkAction, ids: string[], batch: Batch): Promise<void> {
    if (batch.failedCount === 0) {
      await this.rows.done(action, ids);
      this.logger.info({ action, ids: ids.length }, 'FirstPromoter took the reward fulfilments');
      return;
    }
    const refused = ids.length === 1 ? new Set(ids) : refusedIdsNamed(ids, batch.processingErrors);
    if (refused === null) return this.rows.separate(ids);
    await this.fail(action, [...refused], 'refused', batch.processingErrors.join('; ') || `${action}: refused`);
    await this.rows.done(action, ids.filter((id) => !refused.has(id)));
  }

  private async fail(action: MarkAction, ids: string[], code: string, message: string): Promise<void> {
    await this.rows.failed(ids, message);
    this.onFailure(action, code, ids.length);
    this.logger.warn({ action, ids, code, problem: message }, 'FirstPromoter did not take these ids; each is retried on its own backoff');
  }
}
