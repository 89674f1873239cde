import { Topics } from '@earnings/contracts';
import { Decimal, OutstandingCommission } from '@earnings/domain';
import pino from 'pino';
import { EntityManager } from 'typeorm';
import { PayoutMethod } from '../../providers/payout-provider';
import { RewardRepository } from '../../rewards/reward.repository';
import { PayoutRunService } from '../payout-run.service';
import { CandidateRow, NewPayout, PayoutRepository } from '../payout.repository';

/**
 * What a run decides for each balance, with the repository stood in for in memory: whom it pays,
 * how much, by which method, and what it skips and why. The run lock, the transaction and the
 * unique idempotency key are PostgreSQL's (tools/e2e/payout-*.int-spec.ts); here an idempotency key
 * already taken is simulated by the stand-in refusing the row.
 */

type Candidate = Partial<CandidateRow> & Pick<CandidateRow, 'aui' | 'unit' | 'payable'>;

const candidate = (row: Candidate): CandidateRow => ({
  paid_out: '0', reserved: '0', pending_reversals: '0', committed: '0', method: 'account_credit', destination: null, payout_count: '0', view_behind: false, flagged_held: '0', security_hold_until: null, has_flaggable: false, ...row,
});

/** Every candidate's whole payable is owed by one commission, so coverage never limits what is paid. */
class InMemoryRunRepository {
  readonly inserted: NewPayout[] = [];
  readonly outbox: { topic: string; key: string; payload: { type: string; payoutId: string } }[] = [];
  /** Idempotency keys another run took already: inserting them again is refused. */
  readonly takenKeys = new Set<string>();

  constructor(private readonly rows: CandidateRow[]) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work({} as EntityManager);
  }

  async lockRuns(): Promise<void> {}

  async candidates(): Promise<CandidateRow[]> {
    return this.rows;
  }

  async outstandingCommissions(_manager: EntityManager, balances: readonly { aui: string; unit: string }[]): Promise<Map<string, OutstandingCommission[]>> {
    return new Map(balances.map((balance) => {
      const row = this.rows.find((candidate) => candidate.aui === balance.aui && candidate.unit === balance.unit)!;
      return [JSON.stringify([row.aui, row.unit]), [{ source: 'wildfire', commissionId: `c-${row.aui}`, orderKey: null, occurredAt: null, outstanding: new Decimal(row.payable) }]];
    }));
  }

  async insertPayouts(_manager: EntityManager, payouts: NewPayout[]): Promise<string[]> {
    const fresh = payouts.filter((payout) => !this.takenKeys.has(payout.idempotencyKey));
    this.inserted.push(...fresh);
    return fresh.map((payout) => payout.payoutId);
  }

  async appendOutboxMany(_manager: EntityManager, topic: string, messages: { key: string; payload: { type: string; payoutId: string } }[]): Promise<void> {
    this.outbox.push(...messages.map((message) => ({ topic, ...message })));
  }
}

function runOf(rows: Candidate[], options: { defaultMethod?: PayoutMethod | null } = {}) {
  const repository = new InMemoryRunRepository(rows.map(candidate));
  const rewards = { owedCommissions: async () => new Map(), recordCoverage: async () => undefined };
  const run = new PayoutRunService(repository as unknown as PayoutRepository, rewards as unknown as RewardRepository, {
    thresholds: new Map([['USD', new Decimal(10)], ['JPY', new Decimal(1000)]]), fractionDigitsByUnit: new Map(),
  }, { auiPrefix: '', defaultMethod: options.defaultMethod ?? null, rewardFulfiller: 'ledger_credit', rewardInputsWaitMsMax: 0 }, pino({ level: 'silent' }), null);
  return { run, repository };
}

const now = new Date('2026-12-01T02:00:00Z');

describe('a payout run deciding each balance', () => {
  it('pays what is spendable, rounded down to the unit\'s minor unit, and leaves the rest in the balance', async () => {
    const { run, repository } = runOf([{ aui: 'alice', unit: 'USD', payable: '25.129' }, { aui: 'bob', unit: 'JPY', payable: '1500.9' }]);
    const summary = await run.run(now);
    expect(repository.inserted.map((payout) => [payout.aui, payout.unit, payout.amount])).toEqual([['alice', 'USD', '25.12'], ['bob', 'JPY', '1500']]);
    expect(summary).toMatchObject({ considered: 2, requested: 2, alreadyRequested: 0, skipped: {} });
  });

  it('does not pay what its own payouts already committed, nor what is reserved, and skips a balance left below the threshold', async () => {
    const { run, repository } = runOf([
      { aui: 'alice', unit: 'USD', payable: '25', committed: '20' },
      { aui: 'bob', unit: 'USD', payable: '25', reserved: '5', committed: '5' },
    ]);
    const summary = await run.run(now);
    expect(repository.inserted.map((payout) => [payout.aui, payout.amount])).toEqual([['bob', '20']]);
    expect(summary.skipped).toEqual({ 'below-threshold': 1 });
  });

  it('never pays the ledger\'s own unattributed pool, nor a unit without a threshold', async () => {
    const { run, repository } = runOf([{ aui: '~unattributed', unit: 'USD', payable: '500' }, { aui: 'alice', unit: 'free_months', payable: '3' }]);
    const summary = await run.run(now);
    expect(repository.inserted).toEqual([]);
    expect(summary.skipped).toEqual({ unattributed: 1, 'unit-not-paid-out': 1 });
  });

  it('pays money by the user\'s chosen method, else the partner\'s default, else not at all', async () => {
    const rows: Candidate[] = [{ aui: 'alice', unit: 'USD', payable: '20', method: 'paypal', destination: 'alice@example.com' }, { aui: 'bob', unit: 'USD', payable: '20', method: null }];
    const withoutDefault = runOf(rows);
    expect((await withoutDefault.run.run(now)).skipped).toEqual({ 'no-method': 1 });
    expect(withoutDefault.repository.inserted.map((payout) => [payout.aui, payout.method, payout.destination])).toEqual([['alice', 'paypal', 'alice@example.com']]);
    const withDefault = runOf(rows, { defaultMethod: 'account_credit' });
    await withDefault.run.run(now);
    expect(withDefault.repository.inserted.map((payout) => [payout.aui, payout.method])).toEqual([['alice', 'paypal'], ['bob', 'account_credit']]);
  });

  it('does not pay by PayPal or gift card without a destination to send it to', async () => {
    const { run, repository } = runOf([{ aui: 'alice', unit: 'USD', payable: '20', method: 'paypal', destination: null }, { aui: 'bob', unit: 'USD', payable: '20', method: 'gift_card', destination: null }]);
    expect((await run.run(now)).skipped).toEqual({ 'no-destination': 2 });
    expect(repository.inserted).toEqual([]);
  });

  it('keys each payout as the balance\'s next one, so two runs deciding the same balance request it once', async () => {
    const { run, repository } = runOf([{ aui: 'alice', unit: 'USD', payable: '20', payout_count: '3' }, { aui: 'bob', unit: 'USD', payable: '20' }]);
    repository.takenKeys.add(JSON.stringify(['alice', 'USD', 4]));
    const summary = await run.run(now);
    expect(repository.inserted.map((payout) => payout.idempotencyKey)).toEqual([JSON.stringify(['bob', 'USD', 1])]);
    expect(summary).toMatchObject({ requested: 1, alreadyRequested: 1 });
  });

  it('announces PayoutRequested for each payout it inserted, and only those, keyed by the user', async () => {
    const { run, repository } = runOf([{ aui: 'alice', unit: 'USD', payable: '20' }, { aui: 'bob', unit: 'USD', payable: '20' }]);
    repository.takenKeys.add(JSON.stringify(['alice', 'USD', 1]));
    await run.run(now);
    expect(repository.outbox.map((message) => [message.topic, message.key, message.payload.type, message.payload.payoutId]))
      .toEqual([[Topics.payoutLifecycle, 'bob', 'PayoutRequested', repository.inserted[0].payoutId]]);
  });
});
