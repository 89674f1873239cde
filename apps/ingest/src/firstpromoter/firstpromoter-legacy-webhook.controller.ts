import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { normaliseLegacyFulfilmentPending } from '@earnings/domain';
import { secretsEqual } from '@earnings/sources';
import type { FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { headerOf, rawBodyOf } from '../http/raw-request';

/**
 * The legacy `fulfilment_pending` webhook. Its response code is the protocol: 200 tells
 * FirstPromoter the reward is fulfilled, so answer 200 only once the observation is durably in
 * Kafka; any failure answers 5xx and FirstPromoter retries (7 times during the day). It carries
 * no signature: a shared token in a header or the query string protects it. The body holds the
 * promoter's auth_token and temp_password: only a redacted copy is kept anywhere.
 */
@Controller('webhooks/firstpromoter/legacy')
export class FirstPromoterLegacyWebhookController {
  constructor(private readonly publisher: InboundPublisher, @Inject(IngestSettings) private readonly settings: IngestSettings) {}

  @Post()
  @HttpCode(200)
  async receive(@Req() request: FastifyRequest): Promise<{ status: string; eventId: string }> {
    const expected = this.settings.config.FIRSTPROMOTER_LEGACY_TOKEN;
    if (expected === '') throw new IngestException('not-found', 'the legacy FirstPromoter webhook is not configured (FIRSTPROMOTER_LEGACY_TOKEN)');
    const token = headerOf(request, 'x-firstpromoter-token') ?? tokenParameterOf(request);
    if (!secretsEqual(token, expected)) throw new IngestException('invalid-token', 'the X-FirstPromoter-Token header or token query parameter is missing or wrong');
    const receivedAt = new Date().toISOString();
    const result = normaliseLegacyFulfilmentPending(rawBodyOf(request), { ...this.settings.firstPromoterNormalise, observedAt: receivedAt });
    if (result.kind === 'invalid') throw new IngestException(result.code, result.message, result.field);
    await this.publisher.publish(
      // The route without its query string: the token may travel there.
      { source: 'firstpromoter', endpoint: '/webhooks/firstpromoter/legacy', deliveryId: result.eventId, receivedAt, headers: request.headers, body: result.redactedBody },
      [result.observation],
    );
    return { status: 'recorded', eventId: result.eventId };
  }
}

/** `?token=` given exactly once; repeated (an array) or absent, there is no token to compare, and the answer is 401. */
function tokenParameterOf(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown>).token;
  return typeof token === 'string' ? token : undefined;
}
