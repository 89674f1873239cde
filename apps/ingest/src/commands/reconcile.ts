import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { CommissionSource, CommissionSources } from '@earnings/contracts';
import { BatchingProducer, createKafka } from '@earnings/kafka';
import { createDataSource } from '@earnings/persistence';
import { loadConfig, runMain } from '@earnings/service-shell';
import { Gauge, Pushgateway, Registry } from 'prom-client';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { reconcileWindow, runReconcile, ReconcileRunResult } from '../reconcile/reconcile-run';
import { ReconcileConfig } from '../reconcile/reconcile.config';

/** Exit code when the ledger and a source disagree (0: they agree; 1: the run itself failed). */
export const driftExitCode = 2;

/**
 * Does the ledger agree with the sources' systems of record today? Compares, per source, every
 * commission the source lists in the window with the ledger's latest version, and the ledger's
 * commissions modified in the window with the source's list. Prints one JSON report per source;
 * exits 2 when anything is missing, differing or unknown. `--repair` publishes the source's
 * version of each missing or differing commission through ingest's publisher (the ledger applies
 * it like any observation); unknown commissions are reported, never deleted.
 *
 *   node dist/apps/ingest/src/commands/reconcile.js --source wildfire --from 2024-01-01T00:00:00Z [--to ...] [--repair]
 */
runMain('reconcile', async (logger) => {
  const { values } = parseArgs({ options: { source: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, repair: { type: 'boolean', default: false } } });
  const config = loadConfig(ReconcileConfig);
  const sources = sourcesOf(values.source ?? config.RECONCILE_SOURCES);
  const window = reconcileWindow(config, values.from, values.to, new Date());
  const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-reconcile', poolSizeMax: 2 });
  const producer = values.repair
    ? new BatchingProducer(createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-reconcile' }, logger), { lingerMs: 0, batchMessagesMax: 5_000, acknowledgementTimeoutMs: config.KAFKA_ACKNOWLEDGEMENT_TIMEOUT_MS })
    : null;
  await dataSource.initialize();
  await producer?.connect();
  try {
    const results: ReconcileRunResult[] = [];
    for (const source of sources) {
      const result = await runReconcile(config, dataSource, { source, window, repairWith: producer ? new InboundPublisher(producer) : null }, logger);
      logger.info({ source, window, counts: result.counts, compared: result.compared, repaired: result.repaired }, 'reconcile finished');
      process.stdout.write(`${JSON.stringify(result)}\n`);
      results.push(result);
    }
    await pushMetrics(config.RECONCILE_PUSHGATEWAY_URL, results);
    if (results.some((result) => result.findings.length > 0)) process.exitCode = driftExitCode;
  } finally {
    await producer?.disconnect();
    await dataSource.destroy();
  }
});

function sourcesOf(text: string): CommissionSource[] {
  if (text === 'all') return [...CommissionSources];
  if ((CommissionSources as readonly string[]).includes(text)) return [text as CommissionSource];
  throw new Error(`--source must be one of ${CommissionSources.join(', ')}, all`);
}

/** A Job ends before Prometheus could scrape it: its figures go to the Pushgateway, when one is configured. */
async function pushMetrics(url: string, results: ReconcileRunResult[]): Promise<void> {
  if (url === '') return;
  const registry = new Registry();
  const differences = new Gauge({ name: 'earnings_reconcile_differences', help: 'Commissions the last reconcile found missing from, differing in, or unknown to the ledger', labelNames: ['source', 'kind'], registers: [registry] });
  const compared = new Gauge({ name: 'earnings_reconcile_compared', help: 'Commissions the source listed in the last reconcile window', labelNames: ['source'], registers: [registry] });
  const finished = new Gauge({ name: 'earnings_reconcile_last_run_timestamp_seconds', help: 'When the last reconcile finished', labelNames: ['source'], registers: [registry] });
  for (const result of results) {
    for (const kind of ['missing', 'differing', 'unknown'] as const) differences.set({ source: result.source, kind }, result.counts[kind]);
    compared.set({ source: result.source }, result.compared);
    finished.set({ source: result.source }, Date.now() / 1000);
  }
  await new Pushgateway(url, {}, registry).pushAdd({ jobName: 'earnings-reconcile' });
}
