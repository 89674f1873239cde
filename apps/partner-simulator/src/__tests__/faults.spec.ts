import { getJson, postJson, RunningSimulator, signedGet, startSimulator } from './simulator-test-support';

const pageUrl = (simulator: RunningSimulator) => `${simulator.baseUrl}/v4/commission?start_modified_date=2020-01-01T00:00:00Z&end_modified_date=2030-01-01T00:00:00Z&limit=5`;

describe('injected faults', () => {
  let simulator: RunningSimulator;
  beforeEach(async () => {
    simulator = await startSimulator({ seed: 'faults', commissions: 20, users: 3, apiIntervalMsMin: 0 });
  });
  afterEach(() => simulator.close());

  it('answers 503 to the next n calls, then recovers', async () => {
    expect(await postJson(`${simulator.baseUrl}/_admin/faults`, { serverErrors: 2 })).toEqual({ status: 200, body: { pending: { timeouts: 0, serverErrors: 2, malformed: 0 } } });
    const statuses = [];
    for (let call = 0; call < 3; call += 1) statuses.push((await signedGet(pageUrl(simulator))).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('answers 200 with bodies that are not a commission page: not JSON, cut short, wrong shape', async () => {
    await postJson(`${simulator.baseUrl}/_admin/faults`, { malformed: 4 });
    const bodies: string[] = [];
    for (let call = 0; call < 4; call += 1) {
      const response = await signedGet(pageUrl(simulator));
      expect(response.status).toBe(200);
      bodies.push(await response.text());
    }
    expect(bodies[0]).toMatch(/^<html>/);
    expect(() => JSON.parse(bodies[1])).toThrow(SyntaxError);
    expect(JSON.parse(bodies[2]).Commissions).toBeUndefined();
    expect(Array.isArray(JSON.parse(bodies[3]).Commissions)).toBe(false);
    const healthy = await signedGet(pageUrl(simulator));
    expect(((await healthy.json()) as { Commissions: unknown[] }).Commissions).toHaveLength(5);
  });

  it('never answers a timed-out call: the client gives up, the next call is served', async () => {
    await postJson(`${simulator.baseUrl}/_admin/faults`, { timeouts: 1 });
    const startedMs = Date.now();
    await expect(signedGet(pageUrl(simulator), undefined, 300)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(290);
    expect((await signedGet(pageUrl(simulator))).status).toBe(200);
    const log = await getJson<{ status: number | null; outcome: string }[]>(`${simulator.baseUrl}/_admin/requests`);
    expect(log.map((entry) => entry.outcome)).toEqual(['fault-timeout', 'ok']);
    expect(log[0].status).toBeNull();
  });

  it('lets go of held calls when it shuts down, so close() is not held up', async () => {
    await postJson(`${simulator.baseUrl}/_admin/faults`, { timeouts: 1 });
    const held = signedGet(pageUrl(simulator), undefined, 30_000).then(
      () => 'answered',
      () => 'connection dropped',
    );
    await waitFor(async () => (await getJson<unknown[]>(`${simulator.baseUrl}/_admin/requests`)).length === 1);
    const startedMs = Date.now();
    await simulator.close();
    expect(Date.now() - startedMs).toBeLessThan(5_000);
    expect(await held).toBe('connection dropped');
    simulator = await startSimulator({ seed: 'faults', commissions: 20, users: 3 });
  });

  it('applies timeouts, then server errors, then malformed bodies, each to one call', async () => {
    await postJson(`${simulator.baseUrl}/_admin/faults`, { malformed: 1, serverErrors: 1, timeouts: 1 });
    await expect(signedGet(pageUrl(simulator), undefined, 200)).rejects.toThrow();
    expect((await signedGet(pageUrl(simulator))).status).toBe(503);
    expect(await (await signedGet(pageUrl(simulator))).text()).toMatch(/^<html>/);
    expect((await signedGet(pageUrl(simulator))).status).toBe(200);
  });

  it('does not spend a fault on a call it refuses for bad credentials', async () => {
    await postJson(`${simulator.baseUrl}/_admin/faults`, { serverErrors: 1 });
    expect((await fetch(pageUrl(simulator))).status).toBe(401);
    expect(await getJson(`${simulator.baseUrl}/_admin/faults`)).toEqual({ timeouts: 0, serverErrors: 1, malformed: 0 });
  });

  it('refuses unknown or out-of-range fault requests', async () => {
    expect((await postJson(`${simulator.baseUrl}/_admin/faults`, { slowness: 1 })).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/faults`, { timeouts: -1 })).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/faults`, { serverErrors: 1.5 })).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/faults`, [1])).status).toBe(400);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
