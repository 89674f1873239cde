import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** Every way an admin request can be wrong, each with its HTTP status: the one mapping of the payout API. */
export const PayoutApiErrorStatus = {
  unauthenticated: 401,
  'admin-api-disabled': 403,
  'invalid-request': 400,
  'not-found': 404,
  'not-a-reward': 409,
  'not-in-flight': 409,
  'not-in-review': 409,
  'firstpromoter-api-not-configured': 409,
  'too-many-requests': 429,
  'internal-error': 500,
} as const;
export type PayoutApiErrorCode = keyof typeof PayoutApiErrorStatus;

export class PayoutApiException extends Error {
  constructor(readonly code: PayoutApiErrorCode, message: string) {
    super(message);
  }
}

/** Answers `{ "error": { "code", "message" } }` and never a stack trace. */
@Catch()
export class PayoutApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, code, message } = describe(exception);
    void reply.status(status).send({ error: { code, message } });
  }
}

function describe(exception: unknown): { status: number; code: string; message: string } {
  if (exception instanceof PayoutApiException) return { status: PayoutApiErrorStatus[exception.code], code: exception.code, message: exception.message };
  const statusCode = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: unknown })?.statusCode;
  const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
  if (status >= 500) return { status, code: 'internal-error', message: 'internal error' };
  return { status, code: status === 404 ? 'not-found' : 'invalid-request', message: (exception as Error).message };
}
