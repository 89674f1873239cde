// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch http, pg and kafkajs before anything loads them.
import '@earnings/telemetry';
import 'reflect-metadata';
import { loadConfig, runMain, startService } from '@earnings/service-shell';
import { QueryConfig } from './query.config';
import { QueryModule } from './query.module';

runMain('query', async (logger) => {
  const config = loadConfig(QueryConfig);
  await startService(QueryModule.register(config, logger), { name: 'query', port: config.QUERY_PORT, config }, logger);
});
