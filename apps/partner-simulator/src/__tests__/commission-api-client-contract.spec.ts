import { WildfireApiError, WildfireCommissionApiClient } from '@earnings/sources';
import { defaultSimulatorOptions } from '../simulator-options';
import { postJson, RunningSimulator, startSimulator } from './simulator-test-support';

/** The ingest side's client against the simulator: the two ends of the wire must agree. */
describe('WildfireCommissionApiClient against the simulator', () => {
  let simulator: RunningSimulator;
  let client: WildfireCommissionApiClient;
  const query = { startModifiedDate: '2020-01-01T00:00:00.000000Z', endModifiedDate: '2030-01-01T00:00:00.000000Z', cursor: null };
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'client-contract', commissions: 120, users: 8, apiIntervalMsMin: 0 });
    client = new WildfireCommissionApiClient({ baseUrl: simulator.baseUrl, apiVersion: 'v4', credentials: defaultSimulatorOptions.credentials, requestTimeoutMs: 300, pageLimit: 50 });
  });
  afterAll(() => simulator.close());

  it('walks every visible commission with the client paging', async () => {
    const ids: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await client.fetchPage({ ...query, cursor }, new Date());
      ids.push(...page.records.map((record) => (record as { commissionid: unknown }).commissionid));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toHaveLength(simulator.state.latestVisible().length);
  });

  it.each([
    [{ timeouts: 1 }, 'timeout'],
    [{ serverErrors: 1 }, 'server-error'],
    [{ malformed: 1 }, 'unexpected-payload'],
  ])('surfaces the injected fault %j as %s', async (faults, code) => {
    await postJson(`${simulator.baseUrl}/_admin/faults`, faults);
    const error = await client.fetchPage(query, new Date()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WildfireApiError);
    expect(error).toMatchObject({ code, retryable: true });
  });
});
