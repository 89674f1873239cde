import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { FirstPromoterPromoterIdentity, normaliseFirstPromoterWebhook, promoterIdentityOfBody } from '@earnings/domain';
import { verifyFirstPromoterWebhookSignature } from '@earnings/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { headerOf, rawBodyOf } from '../http/raw-request';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { FirstPromoterDirectoryRepository, versionedObservation } from './firstpromoter-directory.repository';

/** FirstPromoter webhooks v2: signed, retried by FirstPromoter, deduplicated by `event_id`. */
@Controller('webhooks/firstpromoter')
export class FirstPromoterWebhookController {
  constructor(
    private readonly publisher: InboundPublisher,
    private readonly deliveries: WebhookDeliveryRepository,
    @Inject(IngestSettings) private readonly settings: IngestSettings,
    private readonly directory: FirstPromoterDirectoryRepository,
  ) {}

  /** A later version without the promoter's cust_id keeps the commission with the user already known for it. */
  private async promoterUserIdsFor(promoter: FirstPromoterPromoterIdentity | null): Promise<ReadonlyMap<string, string>> {
    if (promoter === null || promoter.userId !== null) return new Map();
    return this.directory.userIdsOf([promoter.promoterId]);
  }

  @Post()
  @HttpCode(200)
  async receive(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; eventId: string }> {
    if (this.settings.firstPromoterWebhookSecrets.length === 0) throw new IngestException('not-found', 'FirstPromoter webhooks are not configured (FIRSTPROMOTER_WEBHOOK_SECRETS)');
    const body = rawBodyOf(request);
    if (!verifyFirstPromoterWebhookSignature(body, headerOf(request, 'x-webhook-signature'), this.settings.firstPromoterWebhookSecrets)) {
      throw new IngestException('invalid-signature', 'X-Webhook-Signature is missing or does not match the body under any configured secret');
    }
    const receivedAt = new Date().toISOString();
    const promoter = promoterIdentityOfBody(body);
    const promoterUserIds = await this.promoterUserIdsFor(promoter);
    const result = normaliseFirstPromoterWebhook(body, { ...this.settings.firstPromoterNormalise, observedAt: receivedAt, promoterUserIds });
    if (result.kind === 'invalid') throw new IngestException(result.code, result.message, result.field);
    if (await this.deliveries.wasRecorded('firstpromoter', result.eventId)) return { status: 'duplicate', eventId: result.eventId };
    const delivery = { source: 'firstpromoter' as const, endpoint: request.routeOptions.url ?? '/webhooks/firstpromoter', deliveryId: result.eventId, receivedAt, headers: request.headers, body };
    switch (result.kind) {
      case 'not-a-commission':
        // Other entity types are acknowledged and kept raw only.
        await this.publisher.publish(delivery, []);
        await this.deliveries.record('firstpromoter', result.eventId);
        void reply.status(202);
        return { status: 'ignored-not-a-commission', eventId: result.eventId };
      case 'commission': {
        await this.directory.learnPromoter(promoter, 'webhook');
        const observation = await versionedObservation(this.directory, result.observation, result.timestamp ?? receivedAt);
        await this.directory.learnV2Reward(promoter?.campaignId ?? null, observation);
        await this.publisher.publish(delivery, [observation]);
        await this.deliveries.record('firstpromoter', result.eventId);
        return { status: 'recorded', eventId: result.eventId };
      }
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled webhook result ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
