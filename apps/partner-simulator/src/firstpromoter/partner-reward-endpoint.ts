import { createHmac, timingSafeEqual } from 'node:crypto';
import { FastifyInstance } from 'fastify';

/**
 * The partner's own endpoint that grants a reward in its product, as the payout service's
 * `http_webhook` fulfiller calls it: a signed POST (`X-Signature: sha256=<HMAC>`) whose
 * `X-Payout-Id` is granted once however often it arrives. A test can make it refuse the next
 * deliveries (a user the partner's system does not know yet, say), as partners' endpoints do.
 */
export function registerPartnerRewardEndpoint(app: FastifyInstance, secret: string): void {
  const granted = new Map<string, { payoutId: string; aui: string; unit: string; amount: string; attempts: number }>();
  const behaviour = { refuseNext: 0, status: 422 };
  let refusals = 0;
  let attempts = 0;

  // Its own scope: the signature is checked over the exact bytes, so this route reads the body unparsed.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/partner/rewards', async (request, reply) => {
      attempts += 1;
      const raw = request.body as Buffer;
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      const given = Buffer.from(String(request.headers['x-signature'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.status(401).send({ error: 'bad signature' });
      const payoutId = String(request.headers['x-payout-id'] ?? '');
      if (behaviour.refuseNext > 0) {
        behaviour.refuseNext -= 1;
        refusals += 1;
        return reply.status(behaviour.status).send({ error: 'the partner refused this delivery' });
      }
      const delivery = JSON.parse(raw.toString('utf8')) as { aui: string; unit: string; amount: string };
      const seen = granted.get(payoutId);
      if (seen !== undefined) seen.attempts += 1;
      else granted.set(payoutId, { payoutId, aui: delivery.aui, unit: delivery.unit, amount: delivery.amount, attempts: 1 });
      return { granted: payoutId };
    });
  });
  app.post('/_admin/partner-rewards/behaviour', async (request) => {
    const body = (request.body ?? {}) as { refuseNext?: number; status?: number };
    if (body.refuseNext !== undefined) behaviour.refuseNext = body.refuseNext;
    if (body.status !== undefined) behaviour.status = body.status;
    return behaviour;
  });
  app.get('/_admin/partner-rewards', async () => ({ granted: [...granted.values()], refusals, attempts }));
}
