import { context, Context, trace } from '@opentelemetry/api';

/**
 * The trace context each message was handed over in. The BatchingProducer sends many callers'
 * messages in one sendBatch, from whichever caller's turn it is, so the kafkajs instrumentation
 * alone would put every message of a batch in that one caller's trace. libs/telemetry's producer
 * hook writes this context into the message's traceparent instead, so a consumer follows each
 * message back to the request that produced it. Nothing is kept when no span is active (tracing
 * off): a WeakMap lookup is all it costs then.
 */
const senderContexts = new WeakMap<object, Context>();

export function rememberSenderContext(messages: readonly object[]): void {
  if (trace.getActiveSpan() === undefined) return;
  const active = context.active();
  for (const message of messages) senderContexts.set(message, active);
}

export function senderContextOf(message: object): Context | undefined {
  return senderContexts.get(message);
}
