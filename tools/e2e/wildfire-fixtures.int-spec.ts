import { WILDFIRE_FIXTURE_CALLBACK_KEY, wildfireFixture } from '@earnings/testing';
import { createSuiteDatabase, projectFromCurrentEnd, eventually, graphql, requireTestInfrastructure, RunningApps, queryApiKey, startApps, SuiteDatabase, uniqueSuffix, waitForProjectorToCatchUp } from './test-stack';

interface Balance { unit: string; lifetime: string; pending: string; available: string; paidOut: string; paidByNetwork: string }
interface EarningsResult { earnings: { balances: Balance[] } }

const earningsQuery = `query ($aui: ID!) { earnings(aui: $aui) { balances { unit lifetime pending available paidOut paidByNetwork } } }`;

/** Posting order and expected figures from the fixtures README (user share 100%). */
const groups = [
  { fixtures: ['v2-create-pending', 'v3-create-pending'], aui: '012345-6780a-bcdef0-12345', expected: { lifetime: '3.211', pending: '3.211', available: '0', paidByNetwork: '0' } },
  { fixtures: ['v4-create-paid-device-split', 'v4-resend-same-version-pascal'], aui: '012345-6780a-bcdef0-74932', expected: { lifetime: '5.7695', pending: '0', available: '0', paidByNetwork: '5.7695' } },
  { fixtures: ['order-level-1-purchase', 'order-level-2-partial-return'], aui: 'aui-order-level-0001', expected: { lifetime: '0.2925', pending: '0.2925', available: '0', paidByNetwork: '0' } },
  { fixtures: ['item-level-1-item-a', 'item-level-2-item-b', 'item-level-3-return-item-b'], aui: 'aui-item-level-0002', expected: { lifetime: '1.632', pending: '1.632', available: '0', paidByNetwork: '0' } },
  { fixtures: ['mixed-1-order-purchase', 'mixed-2-item-return'], aui: 'aui-mixed-0003', expected: { lifetime: '2.574', pending: '2.574', available: '0', paidByNetwork: '0' } },
];

describe('the Wildfire fixtures give the balances the partner documentation lists', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  const projectorGroup = `ledger-projector-${uniqueSuffix()}`;

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('wildfire_fixtures');
    // The fixtures have fixed commission ids: earlier runs on the same broker must not be replayed first.
    await projectFromCurrentEnd(database.url, projectorGroup);
    apps = await startApps(['ingest', 'ledger-projector', 'query'], {
      ...queryApiKey().env,
      KAFKA_BROKERS: brokers,
      DATABASE_URL: database.url,
      WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      PROJECTOR_CONSUMER_GROUP: projectorGroup,
    });
  });

  afterAll(async () => {
    await apps?.stopAll();
    await database?.drop();
  });

  async function post(name: string): Promise<number> {
    const fixture = wildfireFixture(name);
    const response = await fetch(apps.url('ingest', '/callbacks/wildfire'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [fixture.signatureHeader]: fixture.signature },
      body: fixture.body,
    });
    return response.status;
  }

  const balanceOf = async (aui: string) => (await graphql<EarningsResult>(apps.url('query', '/graphql'), earningsQuery, { aui }, queryApiKey().headers)).data?.earnings.balances ?? [];
  const matches = (balances: Balance[], expected: Omit<Balance, 'unit' | 'paidOut'>) =>
    balances.length === 1 && Object.entries(expected).every(([figure, value]) => balances[0][figure as keyof Balance] === value);

  it.each(groups)('$aui', async ({ fixtures, aui, expected }) => {
    for (const name of fixtures) expect(await post(name)).toBe(200);
    const balances = await eventually(() => balanceOf(aui), (value) => matches(value, expected));
    expect(balances).toEqual([{ unit: 'USD', paidOut: '0', ...expected }]);
  });

  it('changes nothing when any fixture is posted again, or an older version after a newer one', async () => {
    const before = await Promise.all(groups.map((group) => balanceOf(group.aui)));
    // The original order-level purchase is older than the return already applied.
    for (const name of ['order-level-1-purchase', 'v2-create-pending', 'item-level-3-return-item-b', 'mixed-1-order-purchase', 'v4-resend-same-version-pascal']) {
      expect(await post(name)).toBe(200);
    }
    await waitForProjectorToCatchUp(database.url, projectorGroup);
    const after = await Promise.all(groups.map((group) => balanceOf(group.aui)));
    expect(after).toEqual(before);
  });
});
