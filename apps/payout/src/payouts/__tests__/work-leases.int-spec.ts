import { createDataSource } from '@earnings/persistence';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { createSuiteDatabase, SuiteDatabase } from '../../../../../tools/e2e/test-stack';
import { PayoutProvider, ProviderAnswer, ProviderPayoutRequest } from '../../providers/payout-provider';
import { RewardFulfilmentRepository } from '../../rewards/reward-fulfilment.repository';
import { PayoutOutbox } from '../payout-outbox';
import { PayoutProcessor } from '../payout-processor';
import { NewPayout, PayoutRepository } from '../payout.repository';

const quiet = pino({ level: 'silent' });

/** A provider that answers success after `delayMs`, counting the calls per payout id. */
class CountingProvider implements PayoutProvider {
  readonly method = 'account_credit';
  readonly calls = new Map<string, number>();
  constructor(private readonly delayMs: number) {}
  async submitOrPoll(request: ProviderPayoutRequest): Promise<ProviderAnswer> {
    this.calls.set(request.payoutId, (this.calls.get(request.payoutId) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return { outcome: 'succeeded', reference: `credit:${request.payoutId}` };
  }
}

/** Leases on the work in flight, against PostgreSQL: what lets any number of payout processes share it. */
describe('work leases shared by several payout processes', () => {
  let database: SuiteDatabase;
  let dataSource: DataSource;
  const processA = () => new PayoutRepository(dataSource, 'process-a');
  const processB = () => new PayoutRepository(dataSource, 'process-b');

  const insertRequested = async (prefix: string, count: number): Promise<string[]> => {
    const payouts: NewPayout[] = Array.from({ length: count }, (_, index) => ({
      payoutId: `${prefix}-${index}`, idempotencyKey: `${prefix}-${index}`, aui: `${prefix}-user-${index}`, unit: 'USD', amount: '10',
      method: 'account_credit', destination: null, coveredCommissions: [], runId: `${prefix}-run`, review: false,
    }));
    return processA().transaction((manager) => processA().insertPayouts(manager, payouts));
  };
  const statesOf = async (prefix: string) =>
    (await dataSource.query(`SELECT state, count(*)::int AS count FROM payout WHERE starts_with(payout_id, $1) GROUP BY state`, [prefix])) as { state: string; count: number }[];

  beforeAll(async () => {
    database = await createSuiteDatabase('payout_leases');
    dataSource = createDataSource({ url: database.url, applicationName: 'payout-leases-test' });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('hands concurrent claims different payouts, and every due payout to one of them', async () => {
    const ids = await insertRequested('split', 60);
    const [byA, byB] = await Promise.all([processA().claimDue(40, 60_000), processB().claimDue(40, 60_000)]);
    const claimedA = byA.map((payout) => payout.payout_id);
    const claimedB = byB.map((payout) => payout.payout_id);
    expect(claimedA.filter((id) => claimedB.includes(id))).toEqual([]);
    expect([...claimedA, ...claimedB].sort()).toEqual([...ids].sort());
    expect(new Set(byA.map((payout) => payout.lease_owner))).toEqual(new Set(['process-a']));
  });

  it('keeps a leased payout from others until the lease expires; then the one who took it over records, and the first is refused', async () => {
    await insertRequested('expiry', 1);
    const [first] = await processA().claimDue(10, 300);
    expect(first.payout_id).toBe('expiry-0');
    expect(await processB().claimDue(10, 60_000)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [takenOver] = await processB().claimDue(10, 60_000);
    expect([takenOver.payout_id, takenOver.lease_owner, takenOver.attempt_count]).toEqual(['expiry-0', 'process-b', 2]);
    // The slow first process finishes late: its outcome is not written over the one that took over.
    expect(await processA().retryLater('expiry-0', 1_000, { providerStatus: 'late' })).toBe(false);
    expect(await processB().retryLater('expiry-0', 60_000, { providerStatus: 'paypal item ONHOLD' })).toBe(true);
    expect(await dataSource.query(`SELECT lease_owner, provider_status, next_attempt_at > now() AS later FROM payout WHERE payout_id = 'expiry-0'`))
      .toEqual([{ lease_owner: null, provider_status: 'paypal item ONHOLD', later: true }]);
  });

  it('two processors working side by side attempt each payout once and pay each once', async () => {
    await insertRequested('pair', 40);
    const provider = new CountingProvider(20);
    const processorOf = (repository: PayoutRepository) => new PayoutProcessor(repository, new Map([['account_credit', provider]]), { thresholds: new Map(), fractionDigitsByUnit: new Map() }, {
      batchMax: 100, concurrencyMax: 4, providerTimeoutMs: 5_000, pollDelayMs: 1_000, pollIntervalMsMax: 1_000, retryDelayMsMax: 1_000, returnWatchMs: 0, returnPollIntervalMs: 1_000,
    }, quiet, new RewardFulfilmentRepository(dataSource, { owner: repository.leaseOwner, durationMs: 60_000 }));
    const [handledA, handledB] = await Promise.all([processorOf(processA()).processDue(), processorOf(processB()).processDue()]);
    expect(handledA + handledB).toBe(40);
    expect(handledA).toBeGreaterThan(0);
    expect(handledB).toBeGreaterThan(0);
    expect([...provider.calls.values()].filter((count) => count !== 1)).toEqual([]);
    expect(provider.calls.size).toBe(40);
    expect(await statesOf('pair')).toEqual([{ state: 'succeeded', count: 40 }]);
    const executed = await dataSource.query(`SELECT count(*)::int AS count FROM payout_outbox WHERE payload->>'type' = 'PayoutExecuted' AND starts_with(payload->>'payoutId', 'pair')`);
    expect(executed).toEqual([{ count: 40 }]);
  });

  it('lets one outbox relay pass at a time run, whichever process asks', async () => {
    let release: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const first = new PayoutOutbox(processA()).pass(async () => {
      await holding;
      return 0;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await new PayoutOutbox(processB()).pass(async () => 0)).toBe('busy');
    release();
    expect(await first).toBe(0);
  });

  it('hands FirstPromoter ids to one process at a time, and records only the holder\'s outcome', async () => {
    const ids = Array.from({ length: 30 }, (_, index) => `fp-${index}`);
    await insertRequested('fp-payout', 1);
    await dataSource.transaction((manager) => new RewardFulfilmentRepository(dataSource, { owner: 'x', durationMs: 1 }).delivered(manager, 'fp-payout-0', ids.map((id) => String(9_000 + Number(id.slice(3))))));
    const marking = (owner: string) => new RewardFulfilmentRepository(dataSource, { owner, durationMs: 60_000 }).marking;
    const [byA, byB] = await Promise.all([marking('process-a').claimDueIds(false, 20), marking('process-b').claimDueIds(false, 20)]);
    expect(byA.filter((id) => byB.includes(id))).toEqual([]);
    expect(byA.length + byB.length).toBe(30);
    await marking('process-b').done(byA);
    expect(await dataSource.query(`SELECT count(*)::int AS count FROM reward_fulfilment WHERE told = 'fulfilled'`)).toEqual([{ count: 0 }]);
    await marking('process-a').done(byA);
    expect(await dataSource.query(`SELECT count(*)::int AS count FROM reward_fulfilment WHERE told = 'fulfilled' AND lease_owner IS NULL`)).toEqual([{ count: byA.length }]);
  });
});
