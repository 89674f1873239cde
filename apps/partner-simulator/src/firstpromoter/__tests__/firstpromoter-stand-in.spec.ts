import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { buildSimulator } from '../../server';

/** A receiver on 127.0.0.1 standing in for the partner's ingest: records what the simulator sends. */
async function receiver(status: number) {
  const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body });
      response.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('the simulator plays FirstPromoter', () => {
  const secret = 'dev-firstpromoter-webhook-secret';

  it('sends signed v2 webhooks, redelivering some with the same event_id and dropping a deterministic share', async () => {
    const { app } = buildSimulator({ seed: 'fp-spec' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const target = await receiver(200);
    try {
      const send = (dropFraction: number) =>
        app.inject({ method: 'POST', url: '/_admin/firstpromoter/webhooks/send', payload: { url: target.url, dropFraction, redeliverFraction: 0.25 } }).then((response) => response.json());
      const first = await send(0.3);
      expect(first.dropped).toBeGreaterThan(0);
      expect(first.redelivered).toBeGreaterThan(0);
      expect(target.received).toHaveLength(first.sent);
      for (const delivery of target.received) {
        expect(delivery.headers['x-webhook-signature']).toBe(createHmac('sha256', secret).update(delivery.body).digest('hex'));
      }
      const eventIds = target.received.map((delivery) => JSON.parse(delivery.body).event_id as string);
      expect(eventIds.length - new Set(eventIds).size).toBe(first.redelivered);
      const again = await send(0.3);
      expect(again.dropped).toBe(first.dropped);
    } finally {
      await target.close();
      await app.close();
    }
  });

  it('sends legacy fulfilment_pending with the token in the query and the promoter secrets in the body, as FirstPromoter does', async () => {
    const { app } = buildSimulator({ seed: 'fp-spec' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const target = await receiver(200);
    try {
      const outcome = (await app.inject({ method: 'POST', url: '/_admin/firstpromoter/legacy/send', payload: { url: target.url, token: 'legacy-token' } })).json();
      expect(outcome.fulfilled).toBeGreaterThan(0);
      expect(outcome.notFulfilled).toBe(0);
      const first = target.received[0];
      expect(first.url).toBe('/hook?token=legacy-token');
      const body = JSON.parse(first.body);
      expect(body.event.type).toBe('fulfilment_pending');
      expect(body.data.promoter.auth_token).toMatch(/secret$/);
      expect(['credits', 'points']).toContain(body.data.unit);
    } finally {
      await target.close();
      await app.close();
    }
  });

  it('answers the API only with the Bearer key and Account-ID, and runs more than 5 ids as an async batch', async () => {
    const { app } = buildSimulator({ seed: 'fp-spec' });
    const headers = { authorization: 'Bearer dev-firstpromoter-key', 'account-id': 'dev-account' };
    expect((await app.inject({ method: 'GET', url: '/api/v2/company/commissions' })).statusCode).toBe(401);
    const page = (await app.inject({ method: 'GET', url: '/api/v2/company/commissions?page=1&per_page=10', headers })).json() as { id: number }[];
    expect(page).toHaveLength(10);
    const ids = page.map((commission) => commission.id);
    const started = await app.inject({ method: 'POST', url: '/api/v2/company/commissions/mark_fulfilled', headers, payload: { ids } });
    expect(started.statusCode).toBe(202);
    // The published 202 answers `pending`; polls then say in_progress until the batch completes.
    expect(started.json().status).toBe('pending');
    const batch = started.json().id as number;
    expect((await app.inject({ method: 'GET', url: `/api/v2/company/batch_processes/${batch}`, headers })).json().status).toBe('in_progress');
    expect((await app.inject({ method: 'GET', url: `/api/v2/company/batch_processes/${batch}`, headers })).json().status).toBe('completed');
    const counts = (await app.inject({ method: 'GET', url: '/_admin/firstpromoter/actions' })).json();
    expect(Object.values(counts.mark_fulfilled)).toEqual(ids.map(() => 1));
    await app.close();
  });

  it('answers like the published API: commissions without cust_id, the promoter with it, refused ids in failed_count, slow batches', async () => {
    const { app } = buildSimulator({ seed: 'fp-spec' });
    const headers = { authorization: 'Bearer dev-firstpromoter-key', 'account-id': 'dev-account' };
    const [first] = (await app.inject({ method: 'GET', url: '/api/v2/company/commissions?page=1&per_page=2', headers })).json() as { id: number; promoter_campaign: { promoter: Record<string, unknown> } }[];
    expect(Object.keys(first.promoter_campaign.promoter).sort()).toEqual(['email', 'id', 'name']);
    const promoter = (await app.inject({ method: 'GET', url: `/api/v2/company/promoters/${String(first.promoter_campaign.promoter.id)}`, headers })).json();
    expect(promoter.cust_id).toEqual(expect.any(String));
    await app.inject({ method: 'POST', url: '/_admin/firstpromoter/api-behaviour', payload: { refusedIds: [first.id], batchPollsBeforeDone: 3 } });
    const refused = (await app.inject({ method: 'POST', url: '/api/v2/company/commissions/mark_fulfilled', headers, payload: { ids: [first.id] } })).json();
    expect(refused).toMatchObject({ status: 'completed', failed_count: 1, processing_errors: [expect.stringContaining(String(first.id))] });
    await app.close();
  });

  it('approves like the published API: more than 5 ids take effect when the batch completes, and each change is announced by a signed commission.updated', async () => {
    const { app } = buildSimulator({ seed: 'fp-spec' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const target = await receiver(200);
    const headers = { authorization: 'Bearer dev-firstpromoter-key', 'account-id': 'dev-account' };
    try {
      await app.inject({ method: 'POST', url: '/_admin/firstpromoter/webhook-target', payload: { url: target.url } });
      const pending = ((await app.inject({ method: 'GET', url: '/api/v2/company/commissions?page=1&per_page=100&filters[status]=pending', headers })).json() as { id: number }[]).slice(0, 6);
      expect(pending).toHaveLength(6);
      const ids = pending.map((commission) => commission.id);
      const started = (await app.inject({ method: 'POST', url: '/api/v2/company/commissions/approve', headers, payload: { ids } })).json();
      expect(started.status).toBe('pending');
      const statusOf = async (id: number) => (await app.inject({ method: 'GET', url: `/_admin/firstpromoter/commissions/${id}` })).json().status;
      expect(await statusOf(ids[0])).toBe('pending');
      expect(target.received).toHaveLength(0);
      await app.inject({ method: 'GET', url: `/api/v2/company/batch_processes/${String(started.id)}`, headers });
      expect((await app.inject({ method: 'GET', url: `/api/v2/company/batch_processes/${String(started.id)}`, headers })).json().status).toBe('completed');
      expect(await Promise.all(ids.map(statusOf))).toEqual(ids.map(() => 'approved'));
      // Announced after the answer, as FirstPromoter's webhooks are.
      for (let wait = 0; wait < 50 && target.received.length < 6; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(target.received).toHaveLength(6);
      const announced = JSON.parse(target.received[0].body);
      expect(announced).toMatchObject({ event_type: 'commission.updated', changes: { status: ['pending', 'approved'] }, data: { status: 'approved' } });
      expect(target.received[0].headers['x-webhook-signature']).toBe(createHmac('sha256', secret).update(target.received[0].body).digest('hex'));
      // A later poll of the completed batch changes nothing again.
      await app.inject({ method: 'GET', url: `/api/v2/company/batch_processes/${String(started.id)}`, headers });
      expect(target.received).toHaveLength(6);
    } finally {
      await target.close();
      await app.close();
    }
  });

  it('plays the partner\'s reward endpoint: checks the signature over the bytes, refuses as told, grants a payout id once', async () => {
    const { app } = buildSimulator({ seed: 'fp-spec' });
    const body = JSON.stringify({ type: 'RewardDelivery', payoutId: 'po_1', aui: 'u1', unit: 'points', amount: '5' });
    const signed = { 'content-type': 'application/json', 'x-payout-id': 'po_1', 'x-signature': `sha256=${createHmac('sha256', 'dev-reward-webhook-secret').update(body).digest('hex')}` };
    expect((await app.inject({ method: 'POST', url: '/partner/rewards', headers: { ...signed, 'x-signature': 'sha256=00' }, payload: body })).statusCode).toBe(401);
    await app.inject({ method: 'POST', url: '/_admin/partner-rewards/behaviour', payload: { refuseNext: 2, status: 422 } });
    const answers = [];
    for (let attempt = 0; attempt < 4; attempt += 1) answers.push((await app.inject({ method: 'POST', url: '/partner/rewards', headers: signed, payload: body })).statusCode);
    expect(answers).toEqual([422, 422, 200, 200]);
    expect((await app.inject({ method: 'GET', url: '/_admin/partner-rewards' })).json()).toMatchObject({ refusals: 2, granted: [{ payoutId: 'po_1', amount: '5', attempts: 2 }] });
    await app.close();
  });
});
