import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readiness } from './readiness';

const readinessCheckTimeoutMs = 2_000;

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency (Kafka, PostgreSQL) answers: 200, else 503 naming what failed. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const result = await this.readiness.evaluate(readinessCheckTimeoutMs);
    await reply.status(result.ready ? 200 : 503).send({ status: result.ready ? 'ok' : 'unavailable', checks: result.checks });
  }
}
