import { startTracingFromEnvironment } from './start-from-environment';

export * from './tracing';
export * from './start-from-environment';

/**
 * Importing this library starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, before the
 * importer's next import can load http, pg or kafkajs: so it is the first import of each app's
 * main.ts. Without the variable it does nothing.
 */
startTracingFromEnvironment();
