import { FirstPromoterApiClient, FirstPromoterApiError } from '@earnings/sources';
import type { Logger } from 'pino';
import { RewardFulfilmentRepository } from '../../rewards/reward-fulfilment.repository';
import { RewardFulfilmentMarker } from '../reward-fulfilment-marker';

type Batch = Awaited<ReturnType<FirstPromoterApiClient['startAction']>>;
const batch = (change: Partial<Batch>): Batch => ({ id: 700, status: 'completed', total: 1, processedCount: 1, failedCount: 0, processingErrors: [], ...change });
const logger = { info: () => undefined, warn: () => undefined } as unknown as Logger;

/** The marker with its repository and client mocked: what it records for each answer FirstPromoter gives. */
function sut(options: { shared?: string[]; alone?: string[]; batches?: { batchId: number; ids: string[] }[]; answer: () => Promise<Batch> }) {
  const rows = {
    dueBatches: jest.fn(async () => options.batches ?? []),
    dueIds: jest.fn(async (_action: string, alone: boolean) => (alone ? (options.alone ?? []) : (options.shared ?? []))),
    done: jest.fn(async () => undefined),
    following: jest.fn(async () => undefined),
    separate: jest.fn(async () => undefined),
    failed: jest.fn(async () => undefined),
  };
  const client = { startAction: jest.fn(options.answer), batchProcess: jest.fn(options.answer) };
  const marker = new RewardFulfilmentMarker(rows as unknown as RewardFulfilmentRepository, client as unknown as FirstPromoterApiClient, logger);
  const failures: [string, string, number][] = [];
  marker.onFailure = (action, code, count) => failures.push([action, code, count]);
  return { marker, rows, client, failures };
}

describe('the reward fulfilment marker', () => {
  it('marks the ids FirstPromoter took and fails only the one its processing errors name', async () => {
    const { marker, rows, failures } = sut({ shared: ['11', '12', '13'], answer: async () => batch({ failedCount: 1, processingErrors: ['Commission 12: cannot be changed'] }) });
    await marker.markOnce();
    expect(rows.done).toHaveBeenCalledWith('mark_fulfilled', ['11', '13']);
    expect(rows.failed).toHaveBeenCalledWith(['12'], 'Commission 12: cannot be changed');
    expect(failures).toEqual([['mark_fulfilled', 'refused', 1]]);
  });

  it('follows a running batch by its id instead of posting the ids again', async () => {
    const { marker, rows, client } = sut({ batches: [{ batchId: 701, ids: ['21', '22'] }], answer: async () => batch({ id: 701, status: 'in_progress' }) });
    await marker.markOnce();
    expect(client.batchProcess).toHaveBeenCalledWith(701);
    expect(client.startAction).not.toHaveBeenCalled();
    expect(rows.following).toHaveBeenCalledWith(['21', '22'], 701, 1_000);
  });

  it('tries ids alone when a shared call is refused whole, and backs off an id refused alone', async () => {
    const refused = async () => {
      throw new FirstPromoterApiError('invalid-request', 'FirstPromoter POST /commissions/mark_fulfilled answered 422');
    };
    const shared = sut({ shared: ['31', '32'], answer: refused });
    await shared.marker.markOnce();
    expect(shared.rows.separate).toHaveBeenCalledWith(['31', '32']);
    expect(shared.rows.failed).not.toHaveBeenCalled();
    const alone = sut({ alone: ['31'], answer: refused });
    await alone.marker.unmarkOnce();
    expect(alone.rows.failed).toHaveBeenCalledWith(['31'], expect.stringContaining('422'));
    expect(alone.failures).toEqual([['mark_unfulfilled', 'invalid-request', 1]]);
  });

  it('keeps every id of a call that failed for a retryable reason, on backoff', async () => {
    const { marker, rows } = sut({ shared: ['41', '42'], answer: async () => Promise.reject(new FirstPromoterApiError('rate-limited', 'answered 429')) });
    await marker.markOnce();
    expect(rows.failed).toHaveBeenCalledWith(['41', '42'], 'answered 429');
  });
});
