import { CommissionObserved, Topics } from '@earnings/contracts';
import { createDataSource, currentProjectionSchema } from '@earnings/persistence';
import { DataSource } from 'typeorm';
import { createSuiteDatabase, SuiteDatabase } from '../../../../../tools/e2e/test-stack';
import { LedgerStore, OffsetGapError, ProjectionSwitchedError } from '../ledger-store';

function observation(commissionId: string, userAmount: string, modifiedDate: string, aui = 'aui-store-test'): CommissionObserved {
  return {
    type: 'CommissionObserved', schemaVersion: 1, observationId: `test:${commissionId}:${modifiedDate}`, source: 'wildfire', channel: 'callback',
    commissionId, aui, state: 'PENDING', sourceStatus: 'pending', unit: 'USD', userAmount, applicationAmount: userAmount,
    paidByNetwork: false, saleAmount: null, saleCurrency: null, applicationId: '104', merchantId: '1', deviceId: null, merchantOrderId: null,
    merchantSkus: [], eventDate: null, lockingDate: null, createdDate: null, modifiedDate, deliveryId: null, apiVersion: 'v4', observedAt: modifiedDate,
  };
}

describe('the ledger store against PostgreSQL', () => {
  let database: SuiteDatabase;
  let dataSource: DataSource;
  let store: LedgerStore;
  let schema: string;

  beforeAll(async () => {
    database = await createSuiteDatabase('ledger_store');
    dataSource = createDataSource({ url: database.url, applicationName: 'ledger-store-test' });
    await dataSource.initialize();
    schema = await currentProjectionSchema(dataSource);
    store = new LedgerStore(dataSource, schema, 'store-test');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const balance = async () =>
    (await dataSource.query(`SELECT lifetime::text, pending::text, available::text FROM ${schema}.balance WHERE aui = 'aui-store-test'`))[0];

  it('keeps one text form per amount however the additions were grouped (2.574, never 2.5740)', async () => {
    await store.applyChunk({ topic: Topics.commissionObserved, partition: 0, firstOffset: '0', lastOffset: '0', events: [{ offset: '0', event: observation('mixed-purchase', '3.1902', '2023-03-07T01:17:09.578311Z') }] });
    await store.applyChunk({ topic: Topics.commissionObserved, partition: 0, firstOffset: '1', lastOffset: '1', events: [{ offset: '1', event: observation('mixed-return', '-0.6162', '2023-03-14T12:19:50.669620Z') }] });
    expect(await balance()).toEqual({ lifetime: '2.574', pending: '2.574', available: '0' });
  });

  it('skips a chunk below the stored offset, so a redelivery after a crash never counts twice', async () => {
    const outcome = await store.applyChunk({ topic: Topics.commissionObserved, partition: 0, firstOffset: '1', lastOffset: '1', events: [{ offset: '1', event: observation('mixed-return-again', '-1', '2023-03-15T00:00:00.000000Z') }] });
    expect(outcome).toMatchObject({ skippedAlreadyApplied: 1, applied: 0 });
    expect(await balance()).toEqual({ lifetime: '2.574', pending: '2.574', available: '0' });
  });

  it('refuses a chunk that starts above the stored offset, which would skip messages', async () => {
    const gap = store.applyChunk({ topic: Topics.commissionObserved, partition: 0, firstOffset: '5', lastOffset: '5', events: [{ offset: '5', event: observation('after-a-gap', '1', '2023-03-16T00:00:00.000000Z') }] });
    await expect(gap).rejects.toBeInstanceOf(OffsetGapError);
    expect(await balance()).toEqual({ lifetime: '2.574', pending: '2.574', available: '0' });
  });

  it('applies two partitions at once without deadlocking, even when they touch the same users in opposite orders', async () => {
    const auis = Array.from({ length: 500 }, (_, index) => `aui-concurrent-${String(index).padStart(3, '0')}`);
    const chunk = (partition: number, round: number, order: string[], amount: string) => ({
      topic: Topics.commissionObserved, partition, firstOffset: String(round), lastOffset: String(round),
      events: order.map((aui) => ({ offset: String(round), event: observation(`p${partition}-r${round}-${aui}`, amount, '2023-04-01T00:00:00.000001Z', aui) })),
    });
    for (let round = 0; round < 10; round += 1) {
      await Promise.all([store.applyChunk(chunk(1, round, auis, '1.1')), store.applyChunk(chunk(2, round, [...auis].reverse(), '2.2'))]);
    }
    const rows: { aui: string; lifetime: string }[] = await dataSource.query(`SELECT aui, lifetime::text FROM ${schema}.balance WHERE aui LIKE 'aui-concurrent-%' ORDER BY aui`);
    expect(rows).toEqual(auis.map((aui) => ({ aui, lifetime: '33' })));
    const sequences: { balance_sequence: string }[] = await dataSource.query(`SELECT balance_sequence::text FROM ${schema}.account WHERE aui LIKE 'aui-concurrent-%'`);
    expect(new Set(sequences.map((row) => row.balance_sequence))).toEqual(new Set(["20"]));
  });

  const announced = async (aui: string) =>
    ((await dataSource.query(`SELECT payload FROM ${schema}.outbox WHERE message_key = $1 ORDER BY id`, [aui])) as { payload: { unit: string; lifetime: string; causedBy: string[] } }[])
      .map(({ payload }) => ({ unit: payload.unit, lifetime: payload.lifetime, causedBy: payload.causedBy }));

  it('keeps the newest version of a commission once and every version in the history, and announces the balance once per chunk', async () => {
    const aui = 'aui-store-history';
    const events = ['1', '2', '3'].map((amount, index) => ({ offset: String(index), event: { ...observation('three-versions', amount, `2023-05-0${index + 1}T00:00:00.000001Z`, aui), observationId: `v${amount}` } }));
    await store.applyChunk({ topic: Topics.commissionObserved, partition: 3, firstOffset: '0', lastOffset: '2', events });
    const [commission] = await dataSource.query(`SELECT observation_id, user_amount::text FROM ${schema}.commission WHERE commission_id = 'three-versions'`);
    expect(commission).toEqual({ observation_id: 'v3', user_amount: '3' });
    const versions = await dataSource.query(`SELECT observation_id FROM ${schema}.commission_version WHERE commission_id = 'three-versions' ORDER BY modified_date`);
    expect(versions.map((row: { observation_id: string }) => row.observation_id)).toEqual(['v1', 'v2', 'v3']);
    expect(await announced(aui)).toEqual([{ unit: 'USD', lifetime: '3', causedBy: ['v3'] }]);
  });

  it('announces nothing for a balance whose changes cancel out within the chunk', async () => {
    const aui = 'aui-store-cancel';
    const events = [
      { offset: '0', event: { ...observation('cancel-plus', '5', '2023-05-01T00:00:00.000001Z', aui), state: 'PAYABLE' as const, sourceStatus: 'paid' } },
      { offset: '1', event: { ...observation('cancel-minus', '-5', '2023-05-01T00:00:00.000001Z', aui), state: 'PAYABLE' as const, sourceStatus: 'paid' } },
    ];
    await store.applyChunk({ topic: Topics.commissionObserved, partition: 4, firstOffset: '0', lastOffset: '1', events });
    expect(await announced(aui)).toEqual([]);
  });

  it('a newer version naming another user moves the amount, and both balances are announced as caused by it', async () => {
    await store.applyChunk({ topic: Topics.commissionObserved, partition: 5, firstOffset: '0', lastOffset: '0', events: [{ offset: '0', event: observation('moving', '10', '2023-05-01T00:00:00.000001Z', 'aui-store-from') }] });
    const moved = { ...observation('moving', '10', '2023-05-02T00:00:00.000001Z', 'aui-store-to'), observationId: 'moved' };
    await store.applyChunk({ topic: Topics.commissionObserved, partition: 6, firstOffset: '0', lastOffset: '0', events: [{ offset: '0', event: moved }] });
    expect((await announced('aui-store-from')).at(-1)).toEqual({ unit: 'USD', lifetime: '0', causedBy: ['moved'] });
    expect(await announced('aui-store-to')).toEqual([{ unit: 'USD', lifetime: '10', causedBy: ['moved'] }]);
  });

  it('writes nothing once projection_pointer names another schema, and a rebuild store announces nothing', async () => {
    await dataSource.query(`SELECT create_ledger_projection('ledger_store_rebuilt')`);
    const rebuilt = new LedgerStore(dataSource, 'ledger_store_rebuilt', 'store-test', { announceBalanceChanges: false, requirePointedTo: false });
    await rebuilt.applyChunk({ topic: Topics.commissionObserved, partition: 0, firstOffset: '0', lastOffset: '0', events: [{ offset: '0', event: observation('rebuilt', '1', '2023-03-07T01:17:09.578311Z') }] });
    expect(await dataSource.query('SELECT count(*)::int AS count FROM ledger_store_rebuilt.outbox')).toEqual([{ count: 0 }]);
    await dataSource.query(`UPDATE projection_pointer SET schema_name = 'ledger_store_rebuilt' WHERE name = 'ledger'`);
    try {
      const late = store.applyChunk({ topic: Topics.commissionObserved, partition: 0, firstOffset: '2', lastOffset: '2', events: [{ offset: '2', event: observation('late', '1', '2023-03-16T00:00:00.000000Z') }] });
      await expect(late).rejects.toBeInstanceOf(ProjectionSwitchedError);
      expect(await balance()).toEqual({ lifetime: '2.574', pending: '2.574', available: '0' });
    } finally {
      await dataSource.query(`UPDATE projection_pointer SET schema_name = $1 WHERE name = 'ledger'`, [schema]);
    }
  });
});
