import { Decimal, ReviewPolicy } from '@earnings/domain';
import pino from 'pino';
import { EntityManager } from 'typeorm';
import { RewardRepository } from '../../rewards/reward.repository';
import { PayoutRunService, RewardInputsProgress } from '../payout-run.service';
import { CandidateRow, NewPayout, PayoutRepository } from '../payout.repository';

const candidate = (aui: string, unit: string, payable: string, viewBehind = false): CandidateRow => ({
  aui, unit, payable, paid_out: '0', reserved: '0', pending_reversals: '0', committed: '0', method: 'account_credit', destination: null, payout_count: '0', view_behind: viewBehind,
  flagged_held: '0', security_hold_until: null, has_flaggable: false,
});

/** The run with its repositories mocked: what it requests when the reward consumer has, or has not, caught up. */
function sut(rewardInputs: RewardInputsProgress | null, candidates = [candidate('alice', 'USD', '25'), candidate('bob', 'credits', '150')], review: ReviewPolicy = { kind: 'none' }) {
  const inserted: NewPayout[] = [];
  const payouts = {
    transaction: (work: (manager: EntityManager) => Promise<unknown>) => work({} as EntityManager),
    lockRuns: jest.fn(async () => undefined),
    candidates: jest.fn(async () => candidates),
    // Alice's purchases: one of 30 with a settled return of -12 on the same order, and one of 7 without an order.
    outstandingCommissions: jest.fn(async () => new Map([[JSON.stringify(['alice', 'USD']), [
      { source: 'wildfire', commissionId: '3', orderKey: null, occurredAt: '2026-11-03T00:00:00.000000Z', outstanding: new Decimal(7) },
      { source: 'wildfire', commissionId: '1', orderKey: 'o-1', occurredAt: '2026-11-01T00:00:00.000000Z', outstanding: new Decimal(30) },
      { source: 'wildfire', commissionId: '2', orderKey: 'o-1', occurredAt: '2026-11-02T00:00:00.000000Z', outstanding: new Decimal(-12) },
    ]]])),
    insertPayouts: jest.fn(async (_manager: EntityManager, rows: NewPayout[]) => {
      inserted.push(...rows);
      return rows.map((row) => row.payoutId);
    }),
    appendOutboxMany: jest.fn(async () => undefined),
  };
  const rewards = {
    owedCommissions: jest.fn(async () => new Map([[JSON.stringify(['bob', 'credits']), [{ commissionId: '501', owed: new Decimal(150) }]]])),
    recordCoverage: jest.fn(async () => undefined),
  };
  const run = new PayoutRunService(payouts as unknown as PayoutRepository, rewards as unknown as RewardRepository, {
    thresholds: new Map([['USD', new Decimal(10)], ['credits', new Decimal(100)]]), fractionDigitsByUnit: new Map(), review,
  }, { auiPrefix: '', defaultMethod: null, rewardFulfiller: 'ledger_credit', rewardInputsWaitMsMax: 5_000 }, pino({ level: 'silent' }), rewardInputs);
  return { run, inserted };
}

describe('a payout run and its view of the ledger', () => {
  it('skips a user whose view is behind the ledger as view-behind, and pays the others', async () => {
    const { run, inserted } = sut(null, [candidate('alice', 'USD', '25', true), candidate('carol', 'USD', '12')]);
    const summary = await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(inserted.map((payout) => payout.aui)).toEqual([]);
    // carol's commissions owe nothing the ledger knows of: the ledger moved since the figures were read, so she waits too.
    expect(summary).toMatchObject({ requested: 0, skipped: { 'view-behind': 2 } });
  });

  it('decides what a cash payout covers and puts it on the payout: a purchase with its settled return, then the next purchase', async () => {
    const { run, inserted } = sut(null, [candidate('alice', 'USD', '25')]);
    await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(inserted.map((payout) => [payout.amount, payout.coveredCommissions])).toEqual([
      ['25', [{ source: 'wildfire', commissionId: '1', amount: '30' }, { source: 'wildfire', commissionId: '2', amount: '-12' }, { source: 'wildfire', commissionId: '3', amount: '7' }]],
    ]);
  });
});

describe('a payout run and its reward inputs', () => {
  it('pays reward balances once the reward consumer caught up with the ends taken at the run\'s start', async () => {
    const waits: number[] = [];
    const { run, inserted } = sut({ messagesBehind: async (waitMsMax) => (waits.push(waitMsMax), 0n) });
    const summary = await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(waits).toEqual([5_000]);
    expect(inserted.map((payout) => [payout.aui, payout.unit, payout.amount])).toEqual([['alice', 'USD', '25'], ['bob', 'credits', '150']]);
    expect(summary.rewardCommissions).toEqual({ caughtUp: true, messagesBehind: '0' });
  });

  it('skips reward balances as view-behind while the reward consumer lags, pays the cash, and says so', async () => {
    const { run, inserted } = sut({ messagesBehind: async () => 42n });
    const summary = await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(inserted.map((payout) => [payout.aui, payout.unit])).toEqual([['alice', 'USD']]);
    expect(summary).toMatchObject({ requested: 1, skipped: { 'view-behind': 1 }, rewardCommissions: { caughtUp: false, messagesBehind: '42' } });
  });

  it('skips reward balances when it cannot tell how far the reward consumer is (Kafka unreachable)', async () => {
    const { run, inserted } = sut({ messagesBehind: async () => Promise.reject(new Error('broker down')) });
    const summary = await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(inserted.map((payout) => payout.unit)).toEqual(['USD']);
    expect(summary).toMatchObject({ skipped: { 'view-behind': 1 }, rewardCommissions: { caughtUp: false, messagesBehind: null } });
  });
});

describe('a payout run and the holds', () => {
  it('requests a payout the partner reviews with review set, and counts it', async () => {
    const { run, inserted } = sut(null, [candidate('alice', 'USD', '25')], { kind: 'all' });
    const summary = await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(inserted.map((payout) => [payout.aui, payout.review])).toEqual([['alice', true]]);
    expect(summary).toMatchObject({ requested: 1, inReview: 1 });
  });

  it('pays nobody under a security hold, and keeps flagged commissions out of what it pays', async () => {
    const heldAlice = { ...candidate('alice', 'USD', '25'), security_hold_until: '2026-12-04T02:00:00.000000Z' };
    expect((await sut(null, [heldAlice]).run.run(new Date('2026-12-01T02:00:00Z'))).skipped).toEqual({ 'security-hold': 1 });
    // 25 payable of which 20 flagged: 5 is below the threshold.
    const flaggedAlice = { ...candidate('alice', 'USD', '25'), flagged_held: '20' };
    expect((await sut(null, [flaggedAlice]).run.run(new Date('2026-12-01T02:00:00Z'))).skipped).toEqual({ 'below-threshold': 1 });
  });

  it('skips a balance holding FirstPromoter commissions while the consumer that records fraud flags lags', async () => {
    const { run, inserted } = sut({ messagesBehind: async () => 3n }, [{ ...candidate('alice', 'USD', '25'), has_flaggable: true }, candidate('carol', 'USD', '12')]);
    const summary = await run.run(new Date('2026-12-01T02:00:00Z'));
    expect(inserted.map((payout) => payout.aui)).toEqual([]);
    // carol's commissions owe nothing in the mocked ledger: she waits too, as view-behind.
    expect(summary.skipped).toEqual({ 'view-behind': 2 });
  });
});

