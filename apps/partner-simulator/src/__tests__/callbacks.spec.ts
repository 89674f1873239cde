import { hmacSha256Hex, verifyWildfireCallbackSignature } from '@earnings/sources';
import { CallbackReceiver, postJson, RunningSimulator, startReceiver, startSimulator } from './simulator-test-support';

interface SendAnswer {
  sent: number;
  dropped: number;
  failed: number;
  statusCounts: Record<string, number>;
  versions: number;
  through: string | null;
}

type Envelope = Record<string, unknown>;

const callbackKey = 'callbacks-spec-key';
const parse = (receiver: CallbackReceiver): Envelope[] => receiver.received.map((callback) => JSON.parse(callback.rawBody.toString('utf8')) as Envelope);
const payloadOf = (envelope: Envelope) => (envelope.payload ?? envelope.Payload) as Record<string, unknown>;
const versionKey = (envelope: Envelope) => {
  const payload = payloadOf(envelope);
  return `${payload.commissionid ?? payload.ID}@${payload.modifieddate ?? payload.ModifiedDate}`;
};

describe('signed callbacks', () => {
  let simulator: RunningSimulator;
  let receiver: CallbackReceiver;
  beforeEach(async () => {
    simulator = await startSimulator({ seed: 'callbacks', commissions: 400, users: 25, callbackKey });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await simulator.close();
    await receiver.close();
  });

  it('posts every visible version once, signed over the exact bytes with the callback key', async () => {
    const answer = await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url });
    const visibleVersions = simulator.state.versionsBetween(Number.NEGATIVE_INFINITY, simulator.state.clockMicros).length;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sent: visibleVersions, dropped: 0, failed: 0, statusCounts: { '200': visibleVersions }, versions: visibleVersions, through: simulator.state.clockIso() });
    expect(receiver.received).toHaveLength(visibleVersions);
    for (const callback of receiver.received) {
      expect(callback.contentType).toBe('application/json');
      expect(callback.signature).toBe(`sha256=${hmacSha256Hex(callbackKey, callback.rawBody)}`);
      expect(verifyWildfireCallbackSignature(callback.rawBody, callback.signature, [callbackKey])).toBe(true);
      expect(verifyWildfireCallbackSignature(callback.rawBody, callback.signature, ['dev-callback-key'])).toBe(false);
    }
    expect(new Set(parse(receiver).map(versionKey)).size).toBe(visibleVersions);
  });

  it('wraps each version in the callback envelope: a unique ID, create then updates, in modified order per commission', async () => {
    await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url });
    const envelopes = parse(receiver);
    expect(new Set(envelopes.map((envelope) => envelope.id)).size).toBe(envelopes.length);
    for (const envelope of envelopes) {
      expect(envelope).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), type: 'commission', action: expect.stringMatching(/^(create|update)$/) });
      expect(Array.isArray(payloadOf(envelope).amounts)).toBe(true);
    }
    const byCommission = new Map<unknown, Envelope[]>();
    for (const envelope of envelopes) byCommission.set(payloadOf(envelope).commissionid, [...(byCommission.get(payloadOf(envelope).commissionid) ?? []), envelope]);
    for (const versions of byCommission.values()) {
      expect(versions[0].action).toBe('create');
      expect(versions.slice(1).every((envelope) => envelope.action === 'update')).toBe(true);
      const modified = versions.map((envelope) => Date.parse(payloadOf(envelope).modifieddate as string));
      expect(modified.every((value, index) => index === 0 || value >= modified[index - 1])).toBe(true);
    }
  });

  it('drops the same seeded fraction on every send, never retrying, and gives resends new IDs', async () => {
    const first = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, dropFraction: 0.3 })).body as SendAnswer;
    const firstEnvelopes = parse(receiver);
    receiver.received.length = 0;
    const second = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, dropFraction: 0.3 })).body as SendAnswer;
    const secondEnvelopes = parse(receiver);
    expect(second).toEqual(first);
    expect(first.sent + first.dropped).toBe(first.versions);
    expect(first.dropped / first.versions).toBeGreaterThan(0.22);
    expect(first.dropped / first.versions).toBeLessThan(0.38);
    expect(secondEnvelopes.map(versionKey).sort()).toEqual(firstEnvelopes.map(versionKey).sort());
    const firstIds = new Set(firstEnvelopes.map((envelope) => envelope.id));
    expect(secondEnvelopes.some((envelope) => firstIds.has(envelope.id))).toBe(false);
  });

  it('drops the same versions in another simulator with the same seed, and a superset for a larger fraction', async () => {
    await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, dropFraction: 0.5 });
    const deliveredAtHalf = new Set(parse(receiver).map(versionKey));
    receiver.received.length = 0;
    const twin = await startSimulator({ seed: 'callbacks', commissions: 400, users: 25, callbackKey });
    try {
      await postJson(`${twin.baseUrl}/_admin/callbacks/send`, { url: receiver.url, dropFraction: 0.2 });
    } finally {
      await twin.close();
    }
    const deliveredAtFifth = new Set(parse(receiver).map(versionKey));
    expect(deliveredAtFifth.size).toBeGreaterThan(deliveredAtHalf.size);
    for (const key of deliveredAtHalf) expect(deliveredAtFifth.has(key)).toBe(true);
  });

  it('counts failed deliveries by status and does not retry them', async () => {
    await receiver.close();
    let answered = 0;
    receiver = await startReceiver(() => (answered++ % 4 === 0 ? 503 : 202));
    const answer = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url })).body as SendAnswer;
    expect(answer.failed).toBe(Math.ceil(answer.sent / 4));
    expect(answer.statusCounts).toEqual({ '202': answer.sent - answer.failed, '503': answer.failed });
    expect(receiver.received).toHaveLength(answer.sent);
  });

  it('counts an unreachable receiver as failed, without a status', async () => {
    const closedUrl = receiver.url;
    await receiver.close();
    const answer = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: closedUrl, since: '2030-01-01T00:00:00Z', upToNow: false })).body as SendAnswer;
    expect(answer).toMatchObject({ sent: 0, versions: 0 });
    const some = simulator.state.versionsBetween(Number.NEGATIVE_INFINITY, simulator.state.clockMicros).slice(-3);
    const since = new Date(Math.floor(some[0].version.modified.micros / 1000) - 1).toISOString();
    const failing = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: closedUrl, since })).body as SendAnswer;
    expect(failing.sent).toBeGreaterThanOrEqual(3);
    expect(failing).toMatchObject({ failed: failing.sent, statusCounts: { 'network-error': failing.sent } });
    receiver = await startReceiver();
  });

  it('renders callbacks in the requested versions, v2 with a PascalCase envelope', async () => {
    await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, versions: ['v2', 'v3', 'v4'] });
    const envelopes = parse(receiver);
    const v2 = envelopes.filter((envelope) => envelope.ID !== undefined);
    const v3 = envelopes.filter((envelope) => envelope.id !== undefined && (envelope.payload as Record<string, unknown>).amount !== undefined);
    const v4 = envelopes.filter((envelope) => envelope.id !== undefined && (envelope.payload as Record<string, unknown>).amounts !== undefined);
    expect(v2.length + v3.length + v4.length).toBe(envelopes.length);
    for (const group of [v2, v3, v4]) expect(group.length).toBeGreaterThan(envelopes.length / 5);
    expect(v2[0]).toMatchObject({ Type: 'commission', Payload: { ID: expect.any(Number), Amount: expect.any(String) }, CreatedDate: expect.any(String) });
  });

  it('sends only the versions after `since`, and the whole history with upToNow false', async () => {
    const all = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, upToNow: false, dropFraction: 1 })).body as SendAnswer;
    expect(all.versions).toBe(simulator.state.history.commissions.reduce((sum, commission) => sum + commission.versions.length, 0));
    expect(all).toMatchObject({ sent: 0, dropped: all.versions, through: null });
    const now = simulator.state.clockIso();
    await postJson(`${simulator.baseUrl}/_admin/clock`, { advanceHours: 24 * 7 });
    const recent = (await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, since: now })).body as SendAnswer;
    expect(recent.versions).toBe(simulator.state.versionsBetween(simulator.state.clockMicros - 7 * 24 * 3_600_000_000, simulator.state.clockMicros).length);
    expect(recent.versions).toBeGreaterThan(0);
  });

  it('refuses a send without a usable URL or with bad options', async () => {
    expect((await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, {})).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: 'ftp://example.com' })).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, dropFraction: 2 })).status).toBe(400);
    expect((await postJson(`${simulator.baseUrl}/_admin/callbacks/send`, { url: receiver.url, versions: ['v5'] })).status).toBe(400);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('callbacks on clock advance', () => {
  it('pushes the newly visible versions to SIMULATOR_CALLBACK_URL when the clock moves', async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator({ seed: 'clock-push', commissions: 200, users: 10, callbackUrl: receiver.url });
    try {
      const answer = await postJson(`${simulator.baseUrl}/_admin/clock`, { advanceHours: 24 * 10 });
      const body = answer.body as { newlyVisibleVersions: number; callbacks: SendAnswer };
      expect(body.newlyVisibleVersions).toBeGreaterThan(0);
      expect(body.callbacks).toMatchObject({ sent: body.newlyVisibleVersions, dropped: 0, failed: 0 });
      expect(receiver.received).toHaveLength(body.newlyVisibleVersions);
    } finally {
      await simulator.close();
      await receiver.close();
    }
  });
});
