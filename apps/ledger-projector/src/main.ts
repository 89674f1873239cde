// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch http, pg and kafkajs before anything loads them.
import '@earnings/telemetry';
import 'reflect-metadata';
import { loadConfig, runMain, startService } from '@earnings/service-shell';
import { ProjectorConfig } from './projector.config';
import { ProjectorModule } from './projector.module';

runMain('ledger-projector', async (logger) => {
  const config = loadConfig(ProjectorConfig);
  await startService(ProjectorModule.register(config, logger), { name: 'ledger-projector', port: config.PROJECTOR_PORT, config }, logger);
});
