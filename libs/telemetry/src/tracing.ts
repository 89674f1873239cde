import type { SpanExporter } from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  serviceName: string;
  /** Where spans go: the OTLP/HTTP exporter in production; tests pass another. */
  exporter: SpanExporter;
  /** Batch spans (production) or export each as it ends (tests that must not wait for a batch). */
  batch: boolean;
  /** How often a batch is exported (OTEL_BSP_SCHEDULE_DELAY). */
  exportIntervalMs?: number;
}

/** Spans buffered at most: past it new spans are dropped, never memory without bound (a collector that is down). */
const spansQueuedMax = 2_048;
const spansPerExportMax = 512;

export interface Tracing {
  /** Exports what is buffered and stops: call on shutdown so the last spans are not lost. */
  shutdown(): Promise<void>;
}

/**
 * Traces across HTTP (ingest's callbacks, GraphQL requests), Kafka (W3C traceparent in message
 * headers, by the standard kafkajs instrumentation), PostgreSQL (pg) and GraphQL. It patches
 * those modules as they are required, so it must run before anything requires them: each app's
 * main.ts imports this library first.
 *
 * The SDK is required here, not imported at the top, so a service without
 * OTEL_EXPORTER_OTLP_ENDPOINT loads none of it and patches nothing: no cost at all.
 */
export function startTracing(options: TracingOptions): Tracing {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on (see above) */
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { TracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  // The one file, not '@earnings/kafka': the library's index loads kafkajs, which must not load before it is patched.
  const { senderContextOf } = require('../../kafka/src/sender-context') as typeof import('../../kafka/src/sender-context');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const processor = options.batch
    ? new BatchSpanProcessor({ exporter: options.exporter, maxQueueSize: spansQueuedMax, maxExportBatchSize: spansPerExportMax, scheduledDelayMillis: options.exportIntervalMs ?? 5_000 })
    : new SimpleSpanProcessor({ exporter: options.exporter });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': options.serviceName }), spanProcessors: [processor] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Health checks and scrapes every few seconds would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(health|metrics)\b/.test(request.url ?? '') }),
      new PgInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation({
        // Batched sends: the message carries the trace of the request that handed it over, not of the batch's sender.
        producerHook: (span, { message }) => {
          const sender = senderContextOf(message);
          const senderSpan = sender === undefined ? undefined : api.trace.getSpan(sender);
          if (sender === undefined || senderSpan === undefined) return;
          span.addLink({ context: senderSpan.spanContext() });
          api.propagation.inject(sender, (message.headers ??= {}));
        },
      }),
      new GraphQLInstrumentation({ mergeItems: true }),
    ],
  });
  return { shutdown: () => provider.shutdown() };
}
