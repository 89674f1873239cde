import { CommissionObserved } from '@earnings/contracts';
import { FirstPromoterVersionSettlement, FirstPromoterVersionTimes, moveFirstPromoterCommission, settleFirstPromoterVersion } from '@earnings/domain';
import { Metrics } from '@earnings/service-shell';
import { FirstPromoterVersionRepository } from '../repositories/firstpromoter-version.repository';

export type FirstPromoterMoveResult = { kind: 'moved'; observation: CommissionObserved; from: string } | { kind: 'refused'; problem: string };

/**
 * Dates every FirstPromoter delivery (webhook, legacy, pull) by the source's own times and
 * publishes it under the owner its commission keeps. The decisions are pure (libs/domain:
 * settleFirstPromoterVersion); this reads and writes ingest's memory around them, per commission.
 */
export class FirstPromoterVersionService {
  private readonly places;
  private readonly disagreements;

  constructor(private readonly versions: FirstPromoterVersionRepository, metrics: Metrics) {
    this.places = metrics.counter('firstpromoter_versions_total', 'FirstPromoter deliveries by where the source\'s times place them: newest, known (the same version again) or older (a late retry: a counted duplicate)', ['place']);
    this.disagreements = metrics.counter('firstpromoter_owner_disagreements_total', 'FirstPromoter deliveries naming another user than the owner the commission keeps (kept; an operator may move it)');
  }

  async settle(observation: CommissionObserved, times: FirstPromoterVersionTimes): Promise<FirstPromoterVersionSettlement> {
    const settled = await this.versions.settle(observation.commissionId, (memory) => {
      const settlement = settleFirstPromoterVersion(memory, observation, times);
      const owner = settlement.newOwner === null ? null : { aui: settlement.newOwner, decidedBy: 'first-observation' as const, reason: null };
      return { change: { version: settlement.newVersion, owner, sourceNamesOther: settlement.sourceNamesOther }, result: settlement };
    });
    this.places.inc({ place: settled.place });
    if (settled.sourceNamesOther !== null) this.disagreements.inc();
    return settled;
  }

  /** The owners these commissions keep (absent: never observed). */
  keptOwners(commissionIds: readonly string[]): Promise<Map<string, string>> {
    return this.versions.ownersOf(commissionIds);
  }

  /** An operator's move: the newest version again under the new owner, recorded with the reason. */
  async move(commissionId: string, toAui: string, reason: string, movedAt: string): Promise<FirstPromoterMoveResult> {
    return this.versions.settle<FirstPromoterMoveResult>(commissionId, (memory) => {
      const move = moveFirstPromoterCommission(memory, toAui, movedAt);
      if (move.kind === 'refused') return { change: { version: null, owner: null, sourceNamesOther: null }, result: move };
      return {
        change: { version: move.newVersion, owner: move.newVersion === null ? null : { aui: toAui, decidedBy: 'operator', reason }, sourceNamesOther: null },
        result: { kind: 'moved', observation: move.observation, from: move.from },
      };
    });
  }
}
