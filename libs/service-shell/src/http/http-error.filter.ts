import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { httpErrorBody, httpErrorOf } from './http-error';

/**
 * The fallback for apps without an error mapping of their own (an app's APP_FILTER runs before
 * it): HTTP errors in the documented `{ "error": { "code", "message" } }` shape instead of Nest's.
 * GraphQL resolvers are left alone: their errors are the GraphQL formatter's to shape.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const { status, code, message } = httpErrorOf(exception);
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(httpErrorBody(code, message));
  }
}
