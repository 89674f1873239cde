import 'reflect-metadata';
import { loadConfig, runMain, startService } from '@earnings/service-shell';
import { OperationsExporterConfig } from './operations-exporter.config';
import { OperationsModule } from './operations.module';

/**
 * `node dist/tools/operations/operations-exporter.js`: Prometheus figures measured from outside
 * the services (consumer lag, dead letters, outbox backlog and age, unattributed money, payouts
 * by state, sync watermarks) on OPERATIONS_METRICS_PORT. One replica is enough; it keeps
 * reporting while the services it watches are down.
 */
runMain('operations-exporter', async (logger) => {
  const config = loadConfig(OperationsExporterConfig);
  await startService(OperationsModule.register(config, logger), { name: 'operations-exporter', port: config.OPERATIONS_METRICS_PORT, config }, logger);
});
