import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { verifyFirstPromoterWebhookSignature } from '@earnings/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { headerOf, rawBodyOf } from '../http/raw-request';
import { FirstPromoterIngestService, WebhookAnswer } from './services/firstpromoter-ingest.service';

/** FirstPromoter webhooks v2: verified over the exact bytes, then handed to the FirstPromoter service. */
@Controller('webhooks/firstpromoter')
export class FirstPromoterWebhookController {
  constructor(
    private readonly firstPromoter: FirstPromoterIngestService,
    @Inject(IngestSettings) private readonly settings: IngestSettings,
  ) {}

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
}
