// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch http, pg and kafkajs before anything loads them.
import '@earnings/telemetry';
import 'reflect-metadata';
import { loadConfig, runMain, startService } from '@earnings/service-shell';
import { PayoutConfig } from './payout.config';
import { PayoutModule } from './payout.module';

runMain('payout', async (logger) => {
  const config = loadConfig(PayoutConfig);
  await startService(PayoutModule.register(config, logger), { name: 'payout', port: config.PAYOUT_PORT, config, mapsOwnErrors: true }, logger);
});
