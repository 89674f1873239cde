import { refusedIdsNamed } from '@earnings/domain';
import { FirstPromoterApiClient, FirstPromoterApiError, FirstPromoterCommissionAction } from '@earnings/sources';
import type { Logger } from 'pino';
import { FirstPromoterActionQueue } from './firstpromoter-action.repository';

/** Ids per call: FirstPromoter runs more than 5 as a batch process, which is then followed by its id. */
export const actionIdsPerCallMax = 100;
/** Calls of one id each per pass, for ids refused once within a shared call. */
const aloneCallsPerPassMax = 10;
const batchesFollowedPerPassMax = 10;
/** Calls one pass makes at most, one after another: a lease on what a pass claimed must outlast them. */
export const actionCallsPerPassMax = batchesFollowedPerPassMax + 1 + aloneCallsPerPassMax;
/** How soon a running batch process is looked at again. */
const batchPollDelayMs = 1_000;
/** How soon after a failed look (a timeout, a 5xx) it is looked at again: it keeps running meanwhile. */
const batchPollRetryDelayMs = 10_000;

type Batch = Awaited<ReturnType<FirstPromoterApiClient['startAction']>>;

/**
 * Works through a queue of commission ids waiting for one FirstPromoter action (approve,
 * mark_fulfilled, mark_unfulfilled): due ids share a call; an id FirstPromoter refuses waits on its
 * own backoff and is tried alone, so it never blocks another; a batch process (more than 5 ids) is
 * followed by its id until it ends (`pending`, `in_progress`, then `completed`) and never re-posted
 * meanwhile. A crash between a call and its record repeats the call, which FirstPromoter treats as
 * a no-op.
 */
export class FirstPromoterActionRunner {
  constructor(private readonly client: FirstPromoterApiClient, private readonly logger: Logger) {}

  /** Counts ids FirstPromoter did not take, per action and error code (the module points it at a metric). */
  onFailure: (action: FirstPromoterCommissionAction, code: string, count: number) => void = () => undefined;

  /** One pass over a queue; returns how many ids it handled. */
  async pass(queue: FirstPromoterActionQueue): Promise<number> {
    let handled = 0;
    for (const batch of await queue.claimDueBatches(batchesFollowedPerPassMax)) {
      handled += batch.ids.length;
      await this.attempt(queue, batch.ids, () => this.client.batchProcess(batch.batchId), batch.batchId);
    }
    const shared = await queue.claimDueIds(false, actionIdsPerCallMax);
    if (shared.length > 0) await this.attempt(queue, shared, () => this.client.startAction(queue.action, shared));
    const alone = await queue.claimDueIds(true, aloneCallsPerPassMax);
    for (const id of alone) await this.attempt(queue, [id], () => this.client.startAction(queue.action, [id]));
    return handled + shared.length + alone.length;
  }

  /** `followedBatchId`: the call was a look at this running batch process. */
  private async attempt(queue: FirstPromoterActionQueue, ids: string[], call: () => Promise<Batch>, followedBatchId?: number): Promise<void> {
    try {
      await this.settle(queue, ids, await call());
    } catch (error) {
      if (!(error instanceof FirstPromoterApiError)) throw error;
      // A look that failed for a passing reason: the process runs on at FirstPromoter; posting the ids again would run them twice.
      if (error.retryable && followedBatchId !== undefined) return this.lookAgainLater(queue, ids, followedBatchId, error);
      // Refused as a whole (an unknown id, say): each id is tried alone, so only the bad one keeps failing.
      if (!error.retryable && ids.length > 1) await queue.separate(ids);
      else await this.fail(queue, ids, error.code, error.message);
    }
  }

  private async lookAgainLater(queue: FirstPromoterActionQueue, ids: string[], batchId: number, error: FirstPromoterApiError): Promise<void> {
    await queue.following(ids, batchId, batchPollRetryDelayMs);
    this.onFailure(queue.action, error.code, ids.length);
    this.logger.warn({ action: queue.action, batchId, ids: ids.length, code: error.code, problem: error.message }, 'could not look at a FirstPromoter batch process; looking again later');
  }

  private async settle(queue: FirstPromoterActionQueue, ids: string[], batch: Batch): Promise<void> {
    switch (batch.status) {
      case 'pending':
      case 'in_progress':
        if (batch.id === null) return this.fail(queue, ids, 'bad-response', `${queue.action}: running without a batch id to follow`);
        return queue.following(ids, batch.id, batchPollDelayMs);
      case 'completed':
        return this.completed(queue, ids, batch);
      case 'failed':
      case 'stopped':
        return ids.length > 1 ? queue.separate(ids) : this.fail(queue, ids, `batch-${batch.status}`, `${queue.action}: batch ${batch.id ?? '(no id)'} ${batch.status}`);
    }
  }

  /** "completed" only means the run ended: the ids its errors name failed; if they name none, no id can be trusted as done. */
  private async completed(queue: FirstPromoterActionQueue, ids: string[], batch: Batch): Promise<void> {
    if (batch.failedCount === 0) {
      await queue.done(ids);
      this.logger.info({ action: queue.action, ids: ids.length }, 'FirstPromoter took the action');
      return;
    }
    const refused = ids.length === 1 ? new Set(ids) : refusedIdsNamed(ids, batch.processingErrors);
    if (refused === null) return queue.separate(ids);
    await this.fail(queue, [...refused], 'refused', batch.processingErrors.join('; ') || `${queue.action}: refused`);
    await queue.done(ids.filter((id) => !refused.has(id)));
  }

  private async fail(queue: FirstPromoterActionQueue, ids: string[], code: string, message: string): Promise<void> {
    await queue.failed(ids, message);
    this.onFailure(queue.action, code, ids.length);
    this.logger.warn({ action: queue.action, ids, code, problem: message }, 'FirstPromoter did not take these ids; each is retried on its own backoff');
  }
}
