import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { verifyWildfireCallbackSignature } from '@earnings/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';
import { IngestSettings } from '../ingest-settings';
import { headerOf, rawBodyOf } from '../http/raw-request';
import { WildfireCallbackAnswer, WildfireCallbackService } from './wildfire-callback.service';

/**
 * Wildfire never retries a callback, so a 5xx here loses it until the next API sync: answer 2xx
 * only once Kafka has it, and answer 4xx only for input that can never succeed: a bad signature,
 * or money fields that cannot be read. Metadata never refuses a callback (see WildfirePublisher).
 */
@Controller('callbacks/wildfire')
export class WildfireCallbackController {
  constructor(
    private readonly wildfire: WildfireCallbackService,
    @Inject(IngestSettings) private readonly settings: IngestSettings,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<WildfireCallbackAnswer['body']> {
    const body = rawBodyOf(request);
    if (!verifyWildfireCallbackSignature(body, headerOf(request, 'x-wf-signature'), this.settings.wildfireCallbackKeys)) {
      throw new IngestException('invalid-signature', 'X-WF-Signature is missing or does not match the body under any configured key');
    }
    const answer = await this.wildfire.receive({ body, headers: request.headers, endpoint: request.url, receivedAt: new Date().toISOString() });
    void reply.status(answer.status);
    return answer.body;
  }
}
