import { CommissionObserved, UNATTRIBUTED_AUI } from '@earnings/contracts';
import { FirstPromoterNormaliseContext, normaliseFirstPromoterCommission, promoterIdentityOf, redactFirstPromoterJson, rewardedPartyOf } from '@earnings/domain';
import { FirstPromoterApiClient } from '@earnings/sources';
import { Metrics } from '@earnings/service-shell';
import type { Logger } from 'pino';
import { InboundPublisher } from '../publishing/inbound-publisher';
import { FirstPromoterDirectoryRepository } from '../firstpromoter/repositories/firstpromoter-directory.repository';
import { FirstPromoterVersionService } from '../firstpromoter/services/firstpromoter-version.service';

/** Observations published per Kafka batch (with one raw copy of the records they came from). */
const publishChunkCommissionsMax = 500;

export interface ReconciliationOutcome {
  commissions: number;
  observations: number;
  invalidRecords: number;
  /** Promoter rewards whose promoter's user id neither the directory nor the Promoters API knew: not published. */
  unknownPromoters: number;
}

/** Promoters looked up in the Promoters API per chunk at most; the rest wait for the next run. */
const promoterFetchesPerChunkMax = 100;

/**
 * FirstPromoter webhooks are not the record: a dropped one is repaired by the next pull. Each run
 * lists every commission and publishes what it says now, dated like the webhooks by the source's
 * own times (the pull's time only breaks a tie) under the owner each commission keeps; the ledger
 * drops versions it already has, so only what a webhook missed changes a balance.
 */
export class CommissionReconciliationService {
  private running = false;
  private readonly runs;
  private readonly recordsRefused;

  constructor(
    private readonly client: FirstPromoterApiClient,
    private readonly publisher: InboundPublisher,
    private readonly directory: FirstPromoterDirectoryRepository,
    private readonly versions: FirstPromoterVersionService,
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
    const outcome: ReconciliationOutcome = { commissions: 0, observations: 0, invalidRecords: 0, unknownPromoters: 0 };
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
    const promoterUserIds = await this.promoterUserIds(commissions);
    const keptOwners = await this.versions.keptOwners(commissions.map((commission) => String(commission.id)));
    const observations: CommissionObserved[] = [];
    for (const commission of commissions) {
      const result = normaliseFirstPromoterCommission(commission, { ...this.normalise, observedAt: receivedAt, channel: 'api', deliveryId: null, promoterUserIds });
      if (result.kind === 'commission' && !keptOwners.has(result.observation.commissionId) && this.ownerUnknown(commission, result.observation, promoterUserIds)) {
        // Never observed, and its promoter's user is not known yet: skipped rather than kept for no one.
        outcome.unknownPromoters += 1;
        this.recordsRefused.inc({ code: 'unknown-promoter' });
      } else if (result.kind === 'commission') {
        observations.push((await this.versions.settle(result.observation, { ...result.times, tieTime: receivedAt })).observation);
      } else {
        // Skipped, not fatal: failing the run on it would fail every run after it too. It stays in raw-inbound with its chunk.
        outcome.invalidRecords += 1;
        this.recordsRefused.inc({ code: result.code });
        this.logger.error({ code: result.code, field: result.field, problem: result.message }, 'firstpromoter API commission refused; skipped, the rest are published');
      }
    }
    await this.publisher.publish(
      { source: 'firstpromoter', endpoint: '/commissions', deliveryId: null, receivedAt, headers: {}, body: Buffer.from(JSON.stringify(redactFirstPromoterJson(commissions))) },
      observations,
    );
    outcome.commissions += commissions.length;
    outcome.observations += observations.length;
  }

  /**
   * The API's commissions name the promoter without `cust_id`: its user id comes from the
   * directory (learnt from webhooks), else from the Promoters API, which is then remembered.
   */
  private async promoterUserIds(commissions: Readonly<Record<string, unknown>>[]): Promise<Map<string, string>> {
    const wanted = [...new Set(commissions.map(promoterIdentityOf).filter((identity) => identity !== null && identity.userId === null).map((identity) => identity!.promoterId))];
    const known = await this.directory.userIdsOf(wanted);
    for (const promoterId of wanted.filter((id) => !known.has(id)).slice(0, promoterFetchesPerChunkMax)) {
      const identity = promoterIdentityOf({ promoter: await this.client.promoter(promoterId) });
      if (identity === null || identity.userId === null || identity.promoterId !== promoterId) continue;
      await this.directory.learnPromoter(identity, 'promoters-api');
      known.set(promoterId, identity.userId);
    }
    return known;
  }

  /** A promoter reward left without its user only because the promoter is unknown, not because it has none. */
  private ownerUnknown(commission: Readonly<Record<string, unknown>>, observation: CommissionObserved, known: ReadonlyMap<string, string>): boolean {
    const promoter = promoterIdentityOf(commission);
    return observation.aui === UNATTRIBUTED_AUI && promoter !== null && promoter.userId === null && !known.has(promoter.promoterId)
      && rewardedPartyOf(commission, { ...this.normalise, observedAt: observation.observedAt }, '') === 'promoter';
  }
}
