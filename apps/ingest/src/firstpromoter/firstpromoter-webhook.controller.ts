import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { LegacyFulfilmentAnswer } from '@earnings/domain';
import { secretsEqual, verifyFirstPromoterWebhookSignature } from '@earnings/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { headerOf, rawBodyOf } from '../http/raw-request';
import { FirstPromoterIngestService, WebhookAnswer } from './services/firstpromoter-ingest.service';

/** The legacy route without its query string: the token may travel there. */
const legacyEndpoint = '/webhooks/firstpromoter/legacy';

/** FirstPromoter's webhooks: each authenticated here, then handed to the FirstPromoter service. */
@Controller('webhooks/firstpromoter')
export class FirstPromoterWebhookController {
  constructor(
    private readonly firstPromoter: FirstPromoterIngestService,
    @Inject(IngestSettings) private readonly settings: IngestSettings,
  ) {}

  /** Webhooks v2: verified over the exact bytes. */
  @Post()
  async receive(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<WebhookAnswer['body']> {
    if (this.settings.firstPromoterWebhookSecrets.length === 0) throw new IngestException('not-found', 'FirstPromoter webhooks are not configured (FIRSTPROMOTER_WEBHOOK_SECRETS)');
    const body = rawBodyOf(request);
    if (!verifyFirstPromoterWebhookSignature(body, headerOf(request, 'x-webhook-signature'), this.settings.firstPromoterWebhookSecrets)) {
      throw new IngestException('invalid-signature', 'X-Webhook-Signature is missing or does not match the body under any configured secret');
    }
    const answer = await this.firstPromoter.receiveWebhook({ body, headers: request.headers, endpoint: request.routeOptions.url ?? '/webhooks/firstpromoter', receivedAt: new Date().toISOString() });
    void reply.status(answer.status);
    return answer.body;
  }

  /**
   * The legacy `fulfilment_pending` webhook. It carries no signature: a shared token protects it.
   * Its response code is the protocol (200 = fulfilled, another 2xx = keep pending, anything else
   * is retried 7 times a day): the FirstPromoter service decides it.
   */
  @Post('legacy')
  async receiveLegacy(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LegacyFulfilmentAnswer['body'] & { eventId: string }> {
    this.authenticateLegacy(request);
    const { httpStatus, ...answer } = await this.firstPromoter.receiveLegacy({ body: rawBodyOf(request), headers: request.headers, endpoint: legacyEndpoint, receivedAt: new Date().toISOString() });
    void reply.status(httpStatus);
    return answer;
  }

  private authenticateLegacy(request: FastifyRequest): void {
    const expected = this.settings.config.FIRSTPROMOTER_LEGACY_TOKEN;
    if (expected === '') throw new IngestException('not-found', 'the legacy FirstPromoter webhook is not configured (FIRSTPROMOTER_LEGACY_TOKEN)');
    const token = headerOf(request, 'x-firstpromoter-token') ?? tokenParameterOf(request);
    if (!secretsEqual(token, expected)) throw new IngestException('invalid-token', 'the X-FirstPromoter-Token header or token query parameter is missing or wrong');
  }
}

/** `?token=` given exactly once; repeated (an array) or absent, there is no token to compare, and the answer is 401. */
function tokenParameterOf(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown>).token;
  return typeof token === 'string' ? token : undefined;
}
