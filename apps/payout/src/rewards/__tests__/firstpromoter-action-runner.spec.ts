import { FirstPromoterApiClient, FirstPromoterApiError, FirstPromoterCommissionAction } from '@earnings/sources';
import type { Logger } from 'pino';
import { FirstPromoterActionQueue } from '../firstpromoter-action.repository';
import { FirstPromoterActionRunner } from '../firstpromoter-action-runner';

type Batch = Awaited<ReturnType<FirstPromoterApiClient['startAction']>>;
const batch = (change: Partial<Batch>): Batch => ({ id: 700, status: 'completed', total: 1, processedCount: 1, failedCount: 0, processingErrors: [], ...change });
const logger = { info: () => undefined, warn: () => undefined } as unknown as Logger;

/** The runner with its queue and client mocked: what it records for each answer FirstPromoter gives. */
function sut(options: { action?: FirstPromoterCommissionAction; shared?: string[]; alone?: string[]; batches?: { batchId: number; ids: string[] }[]; answer: () => Promise<Batch> }) {
  const queue = {
    action: options.action ?? 'mark_fulfilled',
    claimDueBatches: jest.fn(async () => options.batches ?? []),
    claimDueIds: jest.fn(async (alone: boolean) => (alone ? (options.alone ?? []) : (options.shared ?? []))),
    done: jest.fn(async () => undefined),
    following: jest.fn(async () => undefined),
    separate: jest.fn(async () => undefined),
    failed: jest.fn(async () => undefined),
  } satisfies FirstPromoterActionQueue;
  const client = { startAction: jest.fn(options.answer), batchProcess: jest.fn(options.answer) };
  const runner = new FirstPromoterActionRunner(client as unknown as FirstPromoterApiClient, logger);
  const failures: [string, string, number][] = [];
  runner.onFailure = (action, code, count) => failures.push([action, code, count]);
  return { runner, queue, client, failures };
}

describe('the FirstPromoter action runner', () => {
  it('records the ids FirstPromoter took and fails only the one its processing errors name', async () => {
    const { runner, queue, failures, client } = sut({ shared: ['11', '12', '13'], answer: async () => batch({ failedCount: 1, processingErrors: ['Commission 12: cannot be changed'] }) });
    await runner.pass(queue);
    expect(client.startAction).toHaveBeenCalledWith('mark_fulfilled', ['11', '12', '13']);
    expect(queue.done).toHaveBeenCalledWith(['11', '13']);
    expect(queue.failed).toHaveBeenCalledWith(['12'], 'Commission 12: cannot be changed');
    expect(failures).toEqual([['mark_fulfilled', 'refused', 1]]);
  });

  it('follows a running batch by its id instead of posting the ids again, for approvals too', async () => {
    const { runner, queue, client } = sut({ action: 'approve', batches: [{ batchId: 701, ids: ['21', '22'] }], answer: async () => batch({ id: 701, status: 'in_progress' }) });
    await runner.pass(queue);
    expect(client.batchProcess).toHaveBeenCalledWith(701);
    expect(client.startAction).not.toHaveBeenCalled();
    expect(queue.following).toHaveBeenCalledWith(['21', '22'], 701, 1_000);
  });

  it('starts following an asynchronous batch (202 pending) by its id', async () => {
    const { runner, queue } = sut({ action: 'approve', shared: ['1', '2', '3', '4', '5', '6'], answer: async () => batch({ id: 702, status: 'pending' }) });
    await runner.pass(queue);
    expect(queue.following).toHaveBeenCalledWith(['1', '2', '3', '4', '5', '6'], 702, 1_000);
    expect(queue.done).not.toHaveBeenCalled();
  });

  it('tries ids alone when a shared call is refused whole, and backs off an id refused alone', async () => {
    const refused = async () => {
      throw new FirstPromoterApiError('invalid-request', 'FirstPromoter POST /commissions/mark_fulfilled answered 422');
    };
    const shared = sut({ shared: ['31', '32'], answer: refused });
    await shared.runner.pass(shared.queue);
    expect(shared.queue.separate).toHaveBeenCalledWith(['31', '32']);
    expect(shared.queue.failed).not.toHaveBeenCalled();
    const alone = sut({ action: 'mark_unfulfilled', alone: ['31'], answer: refused });
    await alone.runner.pass(alone.queue);
    expect(alone.queue.failed).toHaveBeenCalledWith(['31'], expect.stringContaining('422'));
    expect(alone.failures).toEqual([['mark_unfulfilled', 'invalid-request', 1]]);
  });

  it('keeps following a batch process when a look at it times out, never posting its ids again', async () => {
    const { runner, queue, client, failures } = sut({ action: 'approve', batches: [{ batchId: 703, ids: ['51', '52'] }], answer: async () => Promise.reject(new FirstPromoterApiError('timeout', 'no answer within 2000 ms')) });
    await runner.pass(queue);
    expect(queue.following).toHaveBeenCalledWith(['51', '52'], 703, 10_000);
    expect(queue.failed).not.toHaveBeenCalled();
    expect(client.startAction).not.toHaveBeenCalled();
    expect(failures).toEqual([['approve', 'timeout', 2]]);
  });

  it('keeps every id of a call that failed for a retryable reason, on backoff', async () => {
    const { runner, queue } = sut({ shared: ['41', '42'], answer: async () => Promise.reject(new FirstPromoterApiError('rate-limited', 'answered 429')) });
    await runner.pass(queue);
    expect(queue.failed).toHaveBeenCalledWith(['41', '42'], 'answered 429');
  });
});
