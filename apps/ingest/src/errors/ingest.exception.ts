import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** Every way partner input can be wrong, each with its HTTP status: the one mapping in ingest. */
export const IngestErrorStatus = {
  'invalid-signature': 401,
  'invalid-token': 401,
  'malformed-json': 400,
  'missing-field': 400,
  'invalid-field': 400,
  'body-too-large': 413,
  'unsupported-media-type': 415,
  'kafka-unavailable': 503,
  'not-found': 404,
  'internal-error': 500,
} as const;
export type IngestErrorCode = keyof typeof IngestErrorStatus;

export class IngestException extends Error {
  constructor(readonly code: IngestErrorCode, message: string, readonly field?: string) {
    super(message);
  }
}

/** Answers `{ "error": { "code", "message", "field"? } }` and never a stack trace. */
@Catch()
export class IngestExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    void reply.status(status).send(body);
  }
}

export function toErrorResponse(exception: unknown): { status: number; body: { error: { code: string; message: string; field?: string } } } {
  if (exception instanceof IngestException) {
    const field = exception.field === undefined ? {} : { field: exception.field };
    return { status: IngestErrorStatus[exception.code], body: { error: { code: exception.code, message: exception.message, ...field } } };
  }
  const status = exception instanceof HttpException ? exception.getStatus() : errorStatusOf(exception);
  const code = status === 413 ? 'body-too-large' : status === 415 ? 'unsupported-media-type' : status === 404 ? 'not-found' : status < 500 ? 'bad-request' : 'internal-error';
  const message = status >= 500 ? 'internal error; the request was not recorded' : (exception as Error).message;
  return { status, body: { error: { code, message } } };
}

/** Fastify's own errors (body too large, bad content type) carry a statusCode. */
function errorStatusOf(exception: unknown): number {
  const statusCode = (exception as { statusCode?: unknown })?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
}
