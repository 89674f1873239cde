import { CommissionObserved } from '@earnings/contracts';
import { FirstPromoterNormaliseContext, normaliseFirstPromoterCommission } from '@earnings/domain';
import { FirstPromoterApiClient } from '@earnings/sources';
import { Metrics } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { InboundPublisher } from '../publishing/inbound-publisher';

/** Observations published per Kafka batch (with one raw copy of the records they came from). */
const publishChunkCommissionsMax = 500;

export interface ReconciliationOutcome {
  commissions: number;
  observations: number;
  invalidRecords: number;
}

/**
 * FirstPromoter webhooks are not the record: a dropped one is repaired by the next pull. Each run
 * lists every commission and publishes what it says now; the ledger drops versions it already
 * has (same modified date), so only what a webhook missed changes a balance.
 */
export class CommissionReconciliationService {
  private running = false;
  private readonly runs;
  private readonly recordsRefused;

  constructor(
    private readonly client: FirstPromoterApiClient,
    private readonly publisher: InboundPublisher,
    private readonly normalise: Omit<FirstPromoterNormaliseContext, 'observedAt'>,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.runs = metrics.counter('firstpromoter_reconciliation_runs_total', 'FirstPromoter reconciliation pulls by outcome', ['outcome']);
    this.recordsRefused = metrics.counter('firstpromoter_reconciliation_records_refused_total', 'FirstPromoter API commissions that break the input rules, skipped, by error code', ['code']);
  }

  /** Returns null when a run is already in progress in this process. */
  async reconcile(): Promise<ReconciliationOutcome | null> {
    if (this.running) return null;
    this.running = true;
    const outcome: ReconciliationOutcome = { commissions: 0, observations: 0, invalidRecords: 0 };
    try {
      let chunk: Readonly<Record<string, unknown>>[] = [];
      for await (const commission of this.client.listCommissions({ page: 1, perPage: 100 })) {
        chunk.push(commission);
        if (chunk.length === publishChunkCommissionsMax) {
          await this.publishChunk(chunk, outcome);
          chunk = [];
        }
      }
      if (chunk.length > 0) await this.publishChunk(chunk, outcome);
      this.runs.inc({ outcome: 'succeeded' });
      this.logger.info(outcome, 'firstpromoter reconciliation finished');
      return outcome;
    } catch (error) {
      this.runs.inc({ outcome: 'failed' });
      this.logger.error({ err: error, ...outcome }, 'firstpromoter reconciliation failed; the next run starts over');
      throw error;
    } finally {
      this.running = false;
    }
  }

  private async publishChunk(commissions: Readonly<Record<string, unknown>>[], outcome: ReconciliationOutcome): Promise<void> {
    const receivedAt = new Date().toISOString();
    const observations: CommissionObserved[] = [];
    for (const commission of commissions) {
      const result = normaliseFirstPromoterCommission(commission, { ...this.normalise, observedAt: receivedAt, channel: 'api', deliveryId: null });
      if (result.kind === 'commission') observations.push(result.observation);
      else {
        // Skipped, not fatal: failing the run on it would fail every run after it too. It stays in raw-inbound with its chunk.
        outcome.invalidRecords += 1;
        this.recordsRefused.inc({ code: result.code });
        this.logger.error({ code: result.code, field: result.field, problem: result.message }, 'firstpromoter API commission refused; skipped, the rest are published');
      }
    }
    await this.publisher.publish(
      { source: 'firstpromoter', endpoint: '/commissions', deliveryId: null, receivedAt, headers: {}, body: Buffer.from(JSON.stringify(commissions)) },
      observations,
    );
    outcome.commissions += commissions.length;
    outcome.observations += observations.length;
  }
}
