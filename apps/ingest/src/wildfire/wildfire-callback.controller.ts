import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { normaliseWildfireCallback, WildfireNormaliseContext } from '@earnings/domain';
import { verifyWildfireCallbackSignature } from '@earnings/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { headerOf, rawBodyOf } from '../http/raw-request';
import { WildfirePublisher } from './wildfire-publisher';

/**
 * Wildfire never retries a callback, so a 5xx here loses it until the next API sync: answer 2xx
 * only once Kafka has it, and answer 4xx only for input that can never succeed: a bad signature,
 * or money fields that cannot be read. Metadata never refuses a callback (see WildfirePublisher).
 */
@Controller('callbacks/wildfire')
export class WildfireCallbackController {
  constructor(
    private readonly publisher: WildfirePublisher,
    @Inject(IngestSettings) private readonly settings: IngestSettings,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; callbackId: string | null }> {
    const body = rawBodyOf(request);
    if (!verifyWildfireCallbackSignature(body, headerOf(request, 'x-wf-signature'), this.settings.wildfireCallbackKeys)) {
      throw new IngestException('invalid-signature', 'X-WF-Signature is missing or does not match the body under any configured key');
    }
    const receivedAt = new Date().toISOString();
    const context: WildfireNormaliseContext = { ...this.settings.wildfireNormalise, observedAt: receivedAt };
    const result = normaliseWildfireCallback(body, context);
    const delivery = { source: 'wildfire' as const, endpoint: request.url, receivedAt, headers: request.headers, body };
    switch (result.kind) {
      case 'invalid':
        throw new IngestException(result.code, result.message, result.field);
      case 'not-a-commission':
        // Kept raw for audit; nothing for the ledger. 202: accepted, not acted on.
        await this.publisher.publish({ ...delivery, deliveryId: result.callbackId }, []);
        void reply.status(202);
        return { status: 'ignored-not-a-commission', callbackId: result.callbackId };
      case 'commission':
        await this.publisher.publish({ ...delivery, deliveryId: result.callbackId }, [{ observation: result.observation, cleanings: result.cleanings }]);
        return { status: 'recorded', callbackId: result.callbackId };
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled normaliser result ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
