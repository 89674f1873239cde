import { CommissionObserved, CommissionSource } from '@earnings/contracts';
import { canonicalTimestamp } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { FirstPromoterApiClient } from '@earnings/sources';
import { FirstPromoterDirectoryRepository } from '../firstpromoter/repositories/firstpromoter-directory.repository';
import { FirstPromoterVersionRepository } from '../firstpromoter/repositories/firstpromoter-version.repository';
import { FirstPromoterVersionService } from '../firstpromoter/services/firstpromoter-version.service';
import { CommissionReconciliationService } from '../firstpromoter-sync/commission-reconciliation.service';
import { IngestSettings } from '../ingest-settings';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { createCommissionApiSync } from '../wildfire-sync/create-commission-api-sync';
import { WildfirePublisher } from '../wildfire/wildfire-publisher';
import { CollectingPublisher } from './collecting-publisher';
import { LedgerCommissionsRepository } from './ledger-commissions.repository';
import { observationsToRepair, reconcile, ReconcileReport } from './reconcile-report';
import { ReconcileConfig } from './reconcile.config';

export interface ReconcileRunOptions {
  source: CommissionSource;
  window: { from: string; to: string };
  /** When set, the missing and differing observations are published through it. */
  repairWith: InboundPublisher | null;
}

export interface ReconcileRunResult extends ReconcileReport {
  /** Observations published by --repair (0 without it). */
  repaired: number;
}

/**
 * One source, one window: read what the source says now (through the sync's own reading code),
 * read the ledger, compare, and with --repair publish the source's version of every missing or
 * differing commission through ingest's publisher, with the raw page it came from.
 */
export async function runReconcile(config: ReconcileConfig, dataSource: DataSource, options: ReconcileRunOptions, logger: Logger): Promise<ReconcileRunResult> {
  const collected = await readSource(config, dataSource, options, logger);
  const sourceSays = collected.observations();
  const ledgerHas = await new LedgerCommissionsRepository(dataSource).forReconcile(options.source, [...new Set(sourceSays.map((observation) => observation.commissionId))], options.window);
  const report = reconcile({ source: options.source, window: options.window, sourceSays, ledgerHas });
  let repaired = 0;
  if (options.repairWith !== null) repaired = await repair(options.repairWith, collected, observationsToRepair(report, sourceSays));
  return { ...report, repaired };
}

async function readSource(config: ReconcileConfig, dataSource: DataSource, options: ReconcileRunOptions, logger: Logger): Promise<CollectingPublisher> {
  const collected = new CollectingPublisher();
  switch (options.source) {
    case 'wildfire': {
      if (!config.WILDFIRE_API_BASE_URL) throw new Error('WILDFIRE_API_BASE_URL and the WFAV1 credentials are required to reconcile with Wildfire');
      // Metrics of its own: the pull's page and retry counters must not count as the service's sync. Reads only: nothing kept beside Kafka.
      const metrics = new Metrics();
      const publisher = new WildfirePublisher(collected, { trackingCodes: null, merchants: null }, metrics, logger);
      await createCommissionApiSync(config, dataSource, publisher, logger.child({ component: 'reconcile-wildfire' }), metrics).pullWindow(options.window.from, options.window.to);
      return collected;
    }
    case 'firstpromoter': {
      if (!config.FIRSTPROMOTER_API_KEY) throw new Error('FIRSTPROMOTER_API_KEY and FIRSTPROMOTER_ACCOUNT_ID are required to reconcile with FirstPromoter');
      const client = new FirstPromoterApiClient({ baseUrl: config.FIRSTPROMOTER_API_BASE_URL, apiKey: config.FIRSTPROMOTER_API_KEY, accountId: config.FIRSTPROMOTER_ACCOUNT_ID });
      // The reconciliation pull lists every commission (FirstPromoter's API has no modified-date filter); the window bounds the ledger side.
      const metrics = new Metrics();
      const versions = new FirstPromoterVersionService(new FirstPromoterVersionRepository(dataSource), metrics);
      await new CommissionReconciliationService(
        client, collected, new FirstPromoterDirectoryRepository(dataSource), versions, new IngestSettings(config).firstPromoterNormalise, logger.child({ component: 'reconcile-firstpromoter' }), metrics,
      ).reconcile();
      return collected;
    }
    default: {
      const unreachable: never = options.source;
      throw new Error(`unknown source ${String(unreachable)}`);
    }
  }
}

/** Publishes each repaired observation with the raw delivery (page) it was read from, as the sync would have. */
async function repair(publisher: InboundPublisher, collected: CollectingPublisher, wanted: CommissionObserved[]): Promise<number> {
  const wantedIds = new Set(wanted.map((observation) => observation.observationId));
  let published = 0;
  for (const { delivery, observations } of collected.deliveries) {
    const chosen = observations.filter((observation) => wantedIds.has(observation.observationId));
    if (chosen.length === 0) continue;
    await publisher.publish({ ...delivery, endpoint: `${delivery.endpoint}#reconcile`, receivedAt: new Date().toISOString() }, chosen);
    published += chosen.length;
    for (const observation of chosen) wantedIds.delete(observation.observationId);
  }
  return published;
}

/** The window: --from (or RECONCILE_WINDOW_DAYS back) to --to (or now), canonical. */
export function reconcileWindow(config: ReconcileConfig, from: string | undefined, to: string | undefined, now: Date): { from: string; to: string } {
  const start = from ?? new Date(now.getTime() - config.RECONCILE_WINDOW_DAYS * 24 * 3600_000).toISOString();
  return { from: canonicalTimestamp(start), to: canonicalTimestamp(to ?? now.toISOString()) };
}
