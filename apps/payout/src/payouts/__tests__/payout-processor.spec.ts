import { Topics } from '@earnings/contracts';
import { Decimal, PayoutState } from '@earnings/domain';
import pino from 'pino';
import { EntityManager } from 'typeorm';
import { PayoutProvider, ProviderAnswer, ProviderPayoutRequest } from '../../providers/payout-provider';
import { RewardFulfilmentRepository } from '../../rewards/reward-fulfilment.repository';
import { PayoutProcessor, ProcessorOptions } from '../payout-processor';
import { AttemptRecord, PayoutRepository, PayoutRow } from '../payout.repository';

/**
 * The processor's decisions with its repository and providers stood in for in memory: what it
 * asks the provider, and what state, schedule and event it records for each answer. Leases,
 * SKIP LOCKED and transactions are PostgreSQL's (work-leases.int-spec.ts); here a "transaction"
 * only runs its work.
 */

const options: ProcessorOptions = {
  batchMax: 10, concurrencyMax: 2, providerTimeoutMs: 1_000, pollDelayMs: 1_000, pollIntervalMsMax: 60_000, retryDelayMsMax: 30_000,
  returnWatchMs: 90 * 24 * 3600 * 1000, returnPollIntervalMs: 3_600_000,
};

const me = 'process-a';

function payout(overrides: Partial<PayoutRow> = {}): PayoutRow {
  return {
    payout_id: 'po_1', idempotency_key: 'k1', aui: 'alice', unit: 'USD', amount: '12.3', method: 'paypal', destination: 'alice@example.com', state: 'requested',
    provider_reference: null, failure_reason: null, covered_commissions: [{ source: 'wildfire', commissionId: 'c1', amount: '12.3' }], run_id: 'run-1',
    attempt_count: 1, lease_owner: me, provider_status: null, review_state: null, review_reason: null, reviewed_by: null, reviewed_at: null,
    created_at: new Date(0), updated_at: new Date(0), ...overrides,
  };
}

/** The payout table and its outbox in memory, with PayoutRepository's contract for the calls the processor makes. */
class InMemoryPayouts {
  readonly leaseOwner = me;
  readonly rows = new Map<string, PayoutRow & { next_attempt_in_ms?: number; return_watch_ms?: number }>();
  readonly outbox: { topic: string; key: string; payload: { type: string; [field: string]: unknown } }[] = [];
  readonly retries: { payoutId: string; delayMs: number; record: AttemptRecord }[] = [];
  private readonly due: PayoutRow[];

  constructor(due: PayoutRow[]) {
    this.due = [...due];
    for (const row of due) this.rows.set(row.payout_id, { ...row });
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work({} as EntityManager);
  }

  async claimDue(limit: number): Promise<PayoutRow[]> {
    return this.due.splice(0, limit).map((row) => ({ ...row }));
  }

  async lockPayout(_manager: EntityManager, payoutId: string): Promise<PayoutRow | null> {
    const row = this.rows.get(payoutId);
    return row === undefined ? null : { ...row };
  }

  async setState(_manager: EntityManager, payoutId: string, state: PayoutState, change: AttemptRecord & { providerReference?: string | null; failureReason?: string; nextAttemptInMs?: number; returnWatchMs?: number }): Promise<void> {
    const row = this.rows.get(payoutId)!;
    this.rows.set(payoutId, {
      ...row, state, provider_reference: change.providerReference ?? row.provider_reference, failure_reason: change.failureReason ?? row.failure_reason,
      provider_status: change.providerStatus ?? null, lease_owner: null, next_attempt_in_ms: change.nextAttemptInMs ?? 0, return_watch_ms: change.returnWatchMs,
    });
  }

  async retryLater(payoutId: string, delayMs: number, record: AttemptRecord = {}): Promise<boolean> {
    const row = this.rows.get(payoutId)!;
    if (row.lease_owner !== me) return false;
    this.retries.push({ payoutId, delayMs, record });
    this.rows.set(payoutId, { ...row, lease_owner: null, provider_status: record.providerStatus ?? row.provider_status });
    return true;
  }

  async appendOutbox(_manager: EntityManager, topic: string, key: string, payload: { type: string }): Promise<void> {
    this.outbox.push({ topic, key, payload });
  }
}

/** A provider that answers from a script and remembers what it was asked. */
function scriptedProvider(method: string, answer: ProviderAnswer | ((request: ProviderPayoutRequest) => Promise<ProviderAnswer>)): PayoutProvider & { asked: ProviderPayoutRequest[] } {
  const asked: ProviderPayoutRequest[] = [];
  return {
    method, asked,
    submitOrPoll: async (request) => {
      asked.push(request);
      return typeof answer === 'function' ? answer(request) : answer;
    },
  };
}

function processorOf(due: PayoutRow[], providers: PayoutProvider[], processorOptions: Partial<ProcessorOptions> = {}) {
  const payouts = new InMemoryPayouts(due);
  const delivered: { payoutId: string; commissionIds: string[] }[] = [];
  const fulfilments = { delivered: async (_manager: EntityManager, payoutId: string, commissionIds: string[]) => void delivered.push({ payoutId, commissionIds }) };
  const processor = new PayoutProcessor(
    payouts as unknown as PayoutRepository, new Map(providers.map((provider) => [provider.method, provider])),
    { thresholds: new Map([['USD', new Decimal(10)]]), fractionDigitsByUnit: new Map() },
    { ...options, ...processorOptions }, pino({ level: 'silent' }), fulfilments as unknown as RewardFulfilmentRepository,
  );
  return { processor, payouts, delivered };
}

describe('the payout processor, one attempt per payout', () => {
  it('asks the provider with the payout id as idempotency key and the amount in the unit\'s minor units', async () => {
    const paypal = scriptedProvider('paypal', { outcome: 'pending', reference: 'PP-1' });
    const { processor } = processorOf([payout({ provider_reference: 'PP-0' })], [paypal]);
    await processor.processDue();
    expect(paypal.asked).toEqual([{ payoutId: 'po_1', aui: 'alice', unit: 'USD', amountText: '12.30', destination: 'alice@example.com', knownReference: 'PP-0' }]);
  });

  it('records a payout the provider accepted as submitted, with its reference, and announces PayoutSubmitted', async () => {
    const { processor, payouts } = processorOf([payout()], [scriptedProvider('paypal', { outcome: 'pending', reference: 'PP-1', status: 'PENDING' })]);
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'submitted', provider_reference: 'PP-1', provider_status: 'PENDING', lease_owner: null, next_attempt_in_ms: options.pollDelayMs });
    expect(payouts.outbox.map((message) => [message.topic, message.key, message.payload.type])).toEqual([[Topics.payoutLifecycle, 'alice', 'PayoutSubmitted']]);
  });

  it('records a success with PayoutExecuted naming what the payout covered, and watches a PayPal payout for returns', async () => {
    const { processor, payouts } = processorOf([payout({ state: 'submitted', provider_reference: 'PP-1' })], [scriptedProvider('paypal', { outcome: 'succeeded', reference: null })]);
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'succeeded', provider_reference: 'PP-1', return_watch_ms: options.returnWatchMs });
    expect(payouts.outbox).toHaveLength(1);
    expect(payouts.outbox[0]).toMatchObject({
      topic: Topics.payoutExecuted, key: 'alice',
      payload: { type: 'PayoutExecuted', payoutId: 'po_1', amount: '12.3', providerReference: 'PP-1', coveredCommissions: [{ source: 'wildfire', commissionId: 'c1', amount: '12.3' }] },
    });
  });

  it('does not watch an account credit for returns: it never comes back', async () => {
    const { processor, payouts } = processorOf([payout({ method: 'account_credit', destination: null })], [scriptedProvider('account_credit', { outcome: 'succeeded', reference: null })]);
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'succeeded', return_watch_ms: undefined });
  });

  it('tells FirstPromoter which commissions a reward payout delivered, and no one of a cash payout', async () => {
    const reward = payout({
      payout_id: 'po_r', unit: 'credits', amount: '150', method: 'ledger_credit', destination: null,
      covered_commissions: [{ source: 'firstpromoter', commissionId: '501', amount: '100' }, { source: 'firstpromoter', commissionId: '502', amount: '50' }],
    });
    const { processor, delivered } = processorOf([reward, payout()], [scriptedProvider('ledger_credit', { outcome: 'succeeded', reference: null }), scriptedProvider('paypal', { outcome: 'succeeded', reference: 'PP-1' })]);
    await processor.processDue();
    expect(delivered).toEqual([{ payoutId: 'po_r', commissionIds: ['501', '502'] }]);
  });

  it('records a refusal as failed with the provider\'s reason and announces PayoutFailed, so the ledger releases the hold', async () => {
    const { processor, payouts } = processorOf([payout()], [scriptedProvider('paypal', { outcome: 'failed', reason: 'RECEIVER_UNREGISTERED' })]);
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'failed', failure_reason: 'RECEIVER_UNREGISTERED' });
    expect(payouts.outbox.map((message) => [message.topic, message.payload.type, message.payload.reason])).toEqual([[Topics.payoutFailed, 'PayoutFailed', 'RECEIVER_UNREGISTERED']]);
  });

  it('records money that came back after success as returned and announces PayoutReturned', async () => {
    const { processor, payouts } = processorOf([payout({ state: 'succeeded', provider_reference: 'PP-1' })], [scriptedProvider('paypal', { outcome: 'returned', reason: 'REFUNDED' })]);
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'returned', failure_reason: 'REFUNDED' });
    expect(payouts.outbox.map((message) => [message.topic, message.payload.type])).toEqual([[Topics.payoutLifecycle, 'PayoutReturned']]);
  });

  it('keeps a payout whose provider is unavailable as it is, asked again after a backoff that grows with its attempts up to the cap', async () => {
    const { processor, payouts } = processorOf(
      [payout({ payout_id: 'po_1', attempt_count: 2 }), payout({ payout_id: 'po_2', idempotency_key: 'k2', attempt_count: 10 })],
      [scriptedProvider('paypal', { outcome: 'retry', reason: 'HTTP 503' })],
    );
    await processor.processDue();
    expect(payouts.retries.map((retry) => [retry.payoutId, retry.delayMs])).toEqual([['po_1', 1_000], ['po_2', options.retryDelayMsMax]]);
    expect([...payouts.rows.values()].map((row) => row.state)).toEqual(['requested', 'requested']);
    expect(payouts.outbox).toEqual([]);
  });

  it('asks again later about a payout still on its way, backing off to the longest poll interval, and announces nothing', async () => {
    const { processor, payouts } = processorOf([payout({ state: 'submitted', provider_reference: 'PP-1', attempt_count: 30 })], [scriptedProvider('paypal', { outcome: 'pending', reference: 'PP-1', status: 'UNCLAIMED' })]);
    await processor.processDue();
    expect(payouts.retries).toEqual([{ payoutId: 'po_1', delayMs: options.pollIntervalMsMax, record: { providerStatus: 'UNCLAIMED' } }]);
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'submitted', provider_status: 'UNCLAIMED' });
    expect(payouts.outbox).toEqual([]);
  });

  it('leaves a final state alone when the provider contradicts it', async () => {
    const { processor, payouts } = processorOf([payout({ state: 'failed', failure_reason: 'refused' })], [scriptedProvider('paypal', { outcome: 'succeeded', reference: 'PP-1' })]);
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'failed', failure_reason: 'refused' });
    expect(payouts.outbox).toEqual([]);
  });

  it('records nothing when another process took the payout over while the provider answered', async () => {
    const stand: { payouts?: InMemoryPayouts } = {};
    const takenOver = scriptedProvider('paypal', async () => {
      stand.payouts!.rows.set('po_1', { ...stand.payouts!.rows.get('po_1')!, lease_owner: 'process-b' });
      return { outcome: 'succeeded', reference: 'PP-1' };
    });
    const { processor, payouts } = processorOf([payout()], [takenOver]);
    stand.payouts = payouts;
    await processor.processDue();
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'requested', lease_owner: 'process-b' });
    expect(payouts.outbox).toEqual([]);
  });

  it('pays nothing for a payout whose method has no provider configured, and goes on with the others', async () => {
    const paypal = scriptedProvider('paypal', { outcome: 'succeeded', reference: 'PP-2' });
    const { processor, payouts } = processorOf([payout({ method: 'gift_card' }), payout({ payout_id: 'po_2', idempotency_key: 'k2' })], [paypal]);
    expect(await processor.processDue()).toBe(2);
    expect(payouts.rows.get('po_1')).toMatchObject({ state: 'requested' });
    expect(paypal.asked.map((request) => request.payoutId)).toEqual(['po_2']);
  });
});

describe('the payout processor, one pass', () => {
  it('handles at most batchMax payouts a pass, concurrencyMax at a time; the rest wait for the next pass', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const slow = scriptedProvider('paypal', async () => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return { outcome: 'pending', reference: 'PP' };
    });
    const due = Array.from({ length: 7 }, (_, index) => payout({ payout_id: `po_${index}`, idempotency_key: `k${index}` }));
    const { processor, payouts } = processorOf(due, [slow], { batchMax: 5, concurrencyMax: 2 });
    expect(await processor.processDue()).toBe(5);
    expect(mostAtOnce).toBe(2);
    expect([...payouts.rows.values()].filter((row) => row.state === 'submitted')).toHaveLength(5);
    expect(await processor.processDue()).toBe(2);
  });
});
