import { basename, dirname } from 'node:path';
import { startTracing, Tracing } from './tracing';

let started: Tracing | null = null;

/**
 * Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set (the OpenTelemetry variable: the
 * collector's base URL, spans go to <endpoint>/v1/traces over OTLP/HTTP), and does nothing
 * otherwise. The exporter also honours the other standard OTEL_EXPORTER_OTLP_* variables
 * (headers, timeout). The service name is OTEL_SERVICE_NAME, else the app's folder name.
 */
export function startTracingFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Tracing | null {
  const endpoint = environment.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
  if (endpoint === '' || started !== null) return started;
  if (!/^https?:\/\/[^\s]+$/.test(endpoint)) throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got ${JSON.stringify(endpoint)})`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const exportIntervalMs = Number(environment.OTEL_BSP_SCHEDULE_DELAY || 5_000);
  if (!Number.isInteger(exportIntervalMs) || exportIntervalMs < 1 || exportIntervalMs > 600_000) throw new Error('OTEL_BSP_SCHEDULE_DELAY must be milliseconds from 1 to 600000');
  started = startTracing({ serviceName: environment.OTEL_SERVICE_NAME || serviceNameOf(require.main?.filename), exporter: new OTLPTraceExporter(), batch: true, exportIntervalMs });
  // The service shell exits after its graceful shutdown; the spans of its last seconds go out meanwhile.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void started?.shutdown().catch(() => undefined));
  return started;
}

/** `.../apps/ingest/src/main.js` -> `ingest`; the entry file's name for anything else. */
export function serviceNameOf(entryFile: string | undefined): string {
  if (entryFile === undefined) return 'earnings-ledger';
  const match = /apps\/([^/]+)\/src\//.exec(entryFile);
  return match ? match[1] : basename(entryFile, '.js') || basename(dirname(entryFile));
}
