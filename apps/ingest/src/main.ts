// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch http, pg and kafkajs before anything loads them.
import '@earnings/telemetry';
import 'reflect-metadata';
import { loadConfig, runMain, startService } from '@earnings/service-shell';
import { IngestConfig } from './ingest.config';
import { IngestModule } from './ingest.module';

runMain('ingest', async (logger) => {
  const config = loadConfig(IngestConfig);
  await startService(IngestModule.register(config, logger), {
    name: 'ingest',
    port: config.INGEST_PORT,
    config,
    bodyLimitBytes: config.CALLBACK_BODY_BYTES_MAX,
    // Signatures are computed over the exact bytes: keep JSON bodies as Buffers, parse after verifying.
    keepJsonBodiesRaw: true,
    // IngestExceptionFilter: callbacks' errors carry the field at fault.
    mapsOwnErrors: true,
  }, logger);
});
