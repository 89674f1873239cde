import { firstPromoterFixture } from '@earnings/testing';
import { FirstPromoterCommissionMemory, moveFirstPromoterCommission, settleFirstPromoterVersion } from '../commission-memory';
import { normaliseFirstPromoterWebhook } from '../webhook-v2';
import { editJson } from './edit-json';

const context = { observedAt: '2026-10-20T00:00:00Z' };
const approvedBody = firstPromoterFixture('v2-commission-updated-approved').body;

function read(body: Buffer) {
  const result = normaliseFirstPromoterWebhook(body, context);
  if (result.kind !== 'commission') throw new Error('not a commission');
  return result;
}

/** Applies a settlement to the memory, as the repository does. */
function remember(memory: FirstPromoterCommissionMemory, body: Buffer): { memory: FirstPromoterCommissionMemory; settled: ReturnType<typeof settleFirstPromoterVersion> } {
  const reading = read(body);
  const settled = settleFirstPromoterVersion(memory, reading.observation, reading.times);
  return {
    settled,
    memory: {
      keptOwner: settled.newOwner ?? memory.keptOwner,
      versions: settled.newVersion === null ? memory.versions : [...memory.versions, settled.newVersion],
      newestObservation: settled.place === 'newest' ? settled.observation : memory.newestObservation,
    },
  };
}

describe('a FirstPromoter commission in ingest\'s memory', () => {
  const empty: FirstPromoterCommissionMemory = { keptOwner: null, versions: [], newestObservation: null };

  it('keeps its first owner when a later payload names another (a new cust_id, a renamed reward), and notes it', () => {
    const first = remember(empty, approvedBody);
    expect(first.settled).toMatchObject({ place: 'newest', newOwner: 'aui-fp-promoter-9001', observation: { aui: 'aui-fp-promoter-9001' } });
    const renamed = editJson(approvedBody, { event_id: 'e-2', 'data.promoter_campaign.promoter.cust_id': 'aui-new-cust-id', 'data.reward.name': 'Friend credits', timestamp: '2026-10-10T00:00:00Z' });
    const second = remember(first.memory, renamed);
    expect(second.settled).toMatchObject({ place: 'known', newOwner: null, sourceNamesOther: 'aui-fp-referral-7001', observation: { aui: 'aui-fp-promoter-9001' } });
    expect(second.settled.observation.observationId).toBe(first.settled.observation.observationId);
  });

  it('an operator\'s move republishes the newest version under the new owner, just after it; later deliveries keep the new owner', () => {
    const first = remember(empty, approvedBody);
    const move = moveFirstPromoterCommission(first.memory, 'aui-moved', '2026-10-21T00:00:00Z');
    if (move.kind !== 'moved') throw new Error(move.problem);
    expect(move.observation).toMatchObject({ aui: 'aui-moved', state: 'PAYABLE', modifiedDate: '2026-10-09T10:00:00.000001Z', apiVersion: 'operator-move', deliveryId: null });
    expect(move.from).toBe('aui-fp-promoter-9001');
    const moved: FirstPromoterCommissionMemory = { keptOwner: 'aui-moved', versions: [...first.memory.versions, move.newVersion!], newestObservation: move.observation };
    // FirstPromoter retries the approval: the same version under the new owner, a duplicate.
    const retried = remember(moved, approvedBody);
    expect(retried.settled).toMatchObject({ place: 'known', observation: { aui: 'aui-moved', modifiedDate: '2026-10-09T10:00:00.000001Z' } });
    // Repeating the move (its publication failed) gives the same observation again.
    const again = moveFirstPromoterCommission(moved, 'aui-moved', '2026-10-22T00:00:00Z');
    expect(again).toMatchObject({ kind: 'moved', newVersion: null, observation: { observationId: move.observation.observationId } });
  });

  it('refuses a move of an unknown commission, to a ledger-owned owner or to an identifier that breaks the rules', () => {
    expect(moveFirstPromoterCommission(empty, 'aui-x', '2026-10-21T00:00:00Z')).toMatchObject({ kind: 'refused' });
    const first = remember(empty, approvedBody);
    expect(moveFirstPromoterCommission(first.memory, '~unattributed', '2026-10-21T00:00:00Z')).toMatchObject({ kind: 'refused' });
    expect(moveFirstPromoterCommission(first.memory, ' x ', '2026-10-21T00:00:00Z')).toMatchObject({ kind: 'refused' });
    expect(moveFirstPromoterCommission(first.memory, 'aui-fp-promoter-9001', '2026-10-21T00:00:00Z')).toMatchObject({ kind: 'refused' });
  });
});
