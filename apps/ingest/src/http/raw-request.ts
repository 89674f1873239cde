import type { FastifyRequest } from 'fastify';
import { IngestException } from '../errors/ingest.exception';

/** The body exactly as received: ingest keeps JSON bodies as bytes so signatures check the raw bytes. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  const body = request.body;
  if (Buffer.isBuffer(body)) return body;
  throw new IngestException('unsupported-media-type', 'send the body as application/json');
}

export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
