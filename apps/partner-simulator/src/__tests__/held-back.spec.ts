import { getJson, RunningSimulator, signedGet, startSimulator } from './simulator-test-support';

const window = 'start_modified_date=2000-01-01T00:00:00Z&end_modified_date=2100-01-01T00:00:00Z&sort_by=modified_date&sort_order=asc&limit=1000';

async function listedIds(simulator: RunningSimulator): Promise<number[]> {
  const body = (await (await signedGet(`${simulator.baseUrl}/v4/commission?${window}`)).json()) as { Commissions: { commissionid: number }[] };
  return body.Commissions.map((commission) => commission.commissionid);
}

async function putHeld(simulator: RunningSimulator, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${simulator.baseUrl}/_admin/commissions/held`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('records held back from the Commission API (for the reconcile tests)', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'held-back', commissions: 20, users: 3, apiIntervalMsMin: 0 });
  });
  afterAll(() => simulator.close());

  it('leaves a held record out of the pages until it is released', async () => {
    const all = await listedIds(simulator);
    expect(all.length).toBeGreaterThan(1);
    expect(await putHeld(simulator, { commissionIds: [all[0]] })).toEqual({ status: 200, body: { commissionIds: [all[0]] } });
    expect(await listedIds(simulator)).toEqual(all.slice(1));
    expect(await getJson(`${simulator.baseUrl}/_admin/commissions/held`)).toEqual({ commissionIds: [all[0]] });
    await putHeld(simulator, { commissionIds: [] });
    expect(await listedIds(simulator)).toEqual(all);
  });

  it('refuses a body that is not a list of integer ids', async () => {
    expect(await putHeld(simulator, { commissionIds: ['7'] })).toMatchObject({ status: 400 });
    expect(await putHeld(simulator, {})).toMatchObject({ status: 400 });
  });
});
