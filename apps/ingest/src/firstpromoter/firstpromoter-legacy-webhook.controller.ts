import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { decideLegacyFulfilmentAnswer, LegacyFulfilmentAnswer, normaliseLegacyFulfilmentPending, promoterIdentityOfBody } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { secretsEqual } from '@earnings/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { headerOf, rawBodyOf } from '../http/raw-request';
import { FirstPromoterDirectoryRepository } from './firstpromoter-directory.repository';

const endpoint = '/webhooks/firstpromoter/legacy';

/**
 * The legacy `fulfilment_pending` webhook. Its response code is the protocol: 200 tells
 * FirstPromoter the reward is fulfilled, so 200 only once the observation is durably in Kafka for
 * a known user in a unit this deployment delivers; otherwise 202 with the reason (FirstPromoter
 * keeps it pending), recorded for the operator. Other legacy event types: 202, no effect. Any
 * failure answers 5xx and FirstPromoter retries (7 times during the day); a retry is the same
 * observation, so it counts once. It carries no signature: a shared token protects it. The body
 * holds the promoter's auth_token and temp_password: only a redacted copy is kept anywhere.
 */
@Controller('webhooks/firstpromoter/legacy')
export class FirstPromoterLegacyWebhookController {
  private readonly answers;

  constructor(
    private readonly publisher: InboundPublisher,
    private readonly directory: FirstPromoterDirectoryRepository,
    @Inject(IngestSettings) private readonly settings: IngestSettings,
    metrics: Metrics,
  ) {
    this.answers = metrics.counter('firstpromoter_legacy_answers_total', 'Legacy fulfilment_pending webhooks by answer (recorded, or why it stays pending)', ['answer']);
  }

  @Post()
  async receive(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LegacyFulfilmentAnswer['body'] & { eventId: string }> {
    this.authenticate(request);
    const receivedAt = new Date().toISOString();
    const body = rawBodyOf(request);
    const result = normaliseLegacyFulfilmentPending(body, { ...this.settings.firstPromoterNormalise, observedAt: receivedAt });
    if (result.kind === 'invalid') throw new IngestException(result.code, result.message, result.field);
    // The route without its query string: the token may travel there.
    const delivery = { source: 'firstpromoter' as const, endpoint, deliveryId: result.eventId, receivedAt, headers: request.headers, body: result.redactedBody };
    const countedByWebhooksV2 = result.kind === 'commission' && (await this.directory.claimV2Reward(result.eventId, result.campaignId, result.observation)) !== null;
    const answer = decideLegacyFulfilmentAnswer(result, { deliveredUnits: this.settings.firstPromoterDeliveredUnits, countedByWebhooksV2 });
    const booked = result.kind === 'commission' && !countedByWebhooksV2;
    await this.publisher.publish(delivery, booked ? [result.observation] : []);
    if (result.kind === 'commission') await this.directory.learnPromoter(promoterIdentityOfBody(body), 'legacy-webhook');
    if (answer.body.status === 'pending' && result.kind === 'commission') {
      await this.directory.recordLegacyPending({
        eventId: result.eventId, reason: answer.body.reason, fulfilmentId: result.observation.commissionId, unit: result.observation.unit, campaignId: result.campaignId,
      });
    }
    this.answers.inc({ answer: answer.body.status === 'recorded' ? 'recorded' : answer.body.reason });
    void reply.status(answer.status);
    return { ...answer.body, eventId: result.eventId };
  }

  private authenticate(request: FastifyRequest): void {
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
