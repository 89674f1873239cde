import { CommissionObserved } from '@earnings/contracts';
import { CommissionVersion, decideVersion, firstPromoterFixture } from '@earnings/testing';
import fc from 'fast-check';
import { toEpochMicros } from '../../time/source-timestamp';
import { normaliseFirstPromoterCommission } from '../commission';
import { normaliseFirstPromoterWebhook } from '../webhook-v2';
import { decideFirstPromoterOwner } from '../owner';
import {
  FirstPromoterVersionTimes, firstPromoterContentKey, KnownFirstPromoterVersion, placeFirstPromoterVersion, withFirstPromoterVersion,
} from '../version-order';
import { editJson } from './edit-json';

const context = { observedAt: '2026-10-20T00:00:00Z' };
const created = firstPromoterFixture('v2-commission-created-pending').body;

/** One webhook of commission 88120: the created fixture with the event's own fields. */
function event(eventType: string, fields: { status: string; statusUpdatedAt: string; amount: number; timestamp: string; changes?: object }): Buffer {
  return editJson(created, {
    event_id: `${eventType}-${fields.timestamp}`, event_type: eventType, action: eventType.split('.')[1], changes: fields.changes ?? {},
    'data.status': fields.status, 'data.status_updated_at': fields.statusUpdatedAt, 'data.amount': fields.amount, timestamp: fields.timestamp,
  });
}

/**
 * The five event types of one commission, as FirstPromoter would send them: created pending;
 * updated (amount 20 -> 25, same status, so the same status_updated_at); approved; denied;
 * deleted (the commission as it was, at the deletion's time). Each retry is the same body.
 */
const history = [
  { name: 'created', body: event('commission.created', { status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z', amount: 20, timestamp: '2026-10-02T09:15:05.320Z' }) },
  { name: 'updated', body: event('commission.updated', { status: 'pending', statusUpdatedAt: '2026-10-02T09:15:05.120Z', amount: 25, timestamp: '2026-10-03T08:00:00.000Z', changes: { amount: [20, 25] } }) },
  { name: 'approved', body: event('commission.approved', { status: 'approved', statusUpdatedAt: '2026-10-09T10:00:00.000Z', amount: 25, timestamp: '2026-10-09T10:00:00.200Z' }) },
  { name: 'denied', body: event('commission.denied', { status: 'denied', statusUpdatedAt: '2026-10-12T10:00:00.000Z', amount: 25, timestamp: '2026-10-12T10:00:00.200Z' }) },
  { name: 'deleted', body: event('commission.deleted', { status: 'denied', statusUpdatedAt: '2026-10-12T10:00:00.000Z', amount: 25, timestamp: '2026-10-15T08:00:00.000Z' }) },
] as const;
/** What each event says, in the source's own order. */
const expected = [
  { sourceStatus: 'pending', userAmount: '20' },
  { sourceStatus: 'pending', userAmount: '25' },
  { sourceStatus: 'approved', userAmount: '25' },
  { sourceStatus: 'denied', userAmount: '25' },
  { sourceStatus: 'deleted', userAmount: '25' },
];

/** Ingest's part (dating each delivery against the versions it knows) and the ledger's rule, in arrival order. */
class Pipeline {
  readonly known: KnownFirstPromoterVersion[] = [];
  ledger: CommissionVersion | undefined;
  readonly places: string[] = [];

  deliver(observation: CommissionObserved, times: FirstPromoterVersionTimes): CommissionObserved {
    const contentKey = firstPromoterContentKey(observation);
    const place = placeFirstPromoterVersion(contentKey, times, this.known);
    this.places.push(place.kind);
    if (place.kind !== 'known') this.known.push({ contentKey, versionDate: place.versionDate, ...times });
    const dated = withFirstPromoterVersion(observation, { versionDate: place.versionDate });
    const decision = decideVersion(this.ledger, dated);
    if (decision.applied) this.ledger = decision.version;
    return dated;
  }

  webhook(index: number): CommissionObserved {
    const result = normaliseFirstPromoterWebhook(history[index].body, context);
    if (result.kind !== 'commission') throw new Error(`${history[index].name}: ${JSON.stringify(result)}`);
    return this.deliver(result.observation, result.times);
  }
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('FirstPromoter versions are ordered by the source\'s own times, never by arrival', () => {
  it('the five event types of one commission, in every order, with retries, end in the state of the newest source time', () => {
    const orders = permutations([0, 1, 2, 3, 4]);
    expect(orders).toHaveLength(120);
    fc.assert(
      fc.property(
        fc.constantFrom(...orders),
        fc.array(fc.record({ event: fc.integer({ min: 0, max: 4 }), position: fc.nat({ max: 100 }) }), { maxLength: 8 }),
        (order, retries) => {
          const deliveries = [...order];
          // A retry arrives after its first delivery, at any later moment (FirstPromoter: 20, 40, 60 minutes).
          for (const retry of retries) {
            const first = deliveries.indexOf(retry.event);
            deliveries.splice(first + 1 + (retry.position % (deliveries.length - first)), 0, retry.event);
          }
          const pipeline = new Pipeline();
          let newestSoFar = -1;
          const published: CommissionObserved[] = [];
          for (const index of deliveries) {
            published.push(pipeline.webhook(index));
            newestSoFar = Math.max(newestSoFar, index);
            // After every delivery the ledger holds the newest version delivered so far, never a late one.
            const held = published.find((observation) => observation.observationId === pipeline.ledger?.observationId);
            expect({ sourceStatus: held?.sourceStatus, userAmount: held?.userAmount }).toEqual(expected[newestSoFar]);
          }
          expect(pipeline.ledger?.state).toBe('REJECTED');
          expect(published.find((observation) => observation.observationId === pipeline.ledger?.observationId)?.sourceStatus).toBe('deleted');
        },
      ),
      { numRuns: 600 },
    );
  });

  it('a late retry of created after approval is dated within its own source time, below the approval, and counted as older', () => {
    const pipeline = new Pipeline();
    const createdObservation = pipeline.webhook(0);
    const approved = pipeline.webhook(2);
    const lateCreated = pipeline.webhook(0);
    expect(pipeline.places).toEqual(['newest', 'newest', 'known']);
    expect(lateCreated.modifiedDate).toBe(createdObservation.modifiedDate);
    expect(approved.modifiedDate).toBe('2026-10-09T10:00:00.000000Z');
    expect(pipeline.ledger?.state).toBe('PAYABLE');

    const reversed = new Pipeline();
    reversed.webhook(2);
    const lateFirst = reversed.webhook(0);
    expect(reversed.places).toEqual(['newest', 'older']);
    // Never after the approval, and never a date later than the source's own millisecond.
    expect(toEpochMicros(lateFirst.modifiedDate)).toBeLessThan(toEpochMicros(approved.modifiedDate));
    expect(lateFirst.modifiedDate.startsWith('2026-10-02T09:15:05.120')).toBe(true);
    expect(reversed.ledger?.state).toBe('PAYABLE');
  });

  it('content that only changed with the same status_updated_at follows by the envelope time, in either order', () => {
    const inOrder = new Pipeline();
    inOrder.webhook(0);
    const amended = inOrder.webhook(1);
    expect(amended.modifiedDate).toBe('2026-10-02T09:15:05.120001Z');
    expect(inOrder.ledger?.userAmount.toFixed()).toBe('25');

    const lateOriginal = new Pipeline();
    lateOriginal.webhook(1);
    lateOriginal.webhook(0);
    expect(lateOriginal.places).toEqual(['newest', 'older']);
    expect(lateOriginal.ledger?.userAmount.toFixed()).toBe('25');
  });

  it('a pull of the same version keeps the webhook\'s date; new content a pull reveals follows every event before the pull', () => {
    const pipeline = new Pipeline();
    const approved = pipeline.webhook(2);
    const data = JSON.parse(history[2].body.toString('utf8')).data as Record<string, unknown>;
    const pulled = normaliseFirstPromoterCommission(data, { ...context, channel: 'api', deliveryId: null });
    if (pulled.kind !== 'commission') throw new Error(pulled.message);
    expect(pipeline.deliver(pulled.observation, { ...pulled.times, tieTime: '2026-10-10T00:00:00Z' }).observationId).toBe(approved.observationId);
    const changed = normaliseFirstPromoterCommission({ ...data, amount: 30 }, { ...context, channel: 'api', deliveryId: null });
    if (changed.kind !== 'commission') throw new Error(changed.message);
    pipeline.deliver(changed.observation, { ...changed.times, tieTime: '2026-10-11T00:00:00Z' });
    expect(pipeline.ledger?.userAmount.toFixed()).toBe('30');
    // The webhook the pull overtook arrives late: older, no effect.
    const late = normaliseFirstPromoterWebhook(editJson(history[2].body, { event_id: 'late', 'data.amount': 28, timestamp: '2026-10-10T12:00:00Z' }), context);
    if (late.kind !== 'commission') throw new Error('not a commission');
    pipeline.deliver(late.observation, late.times);
    expect(pipeline.places.at(-1)).toBe('older');
    expect(pipeline.ledger?.userAmount.toFixed()).toBe('30');
  });

  it('dates a deletion at its own time, never before the last status change', () => {
    const deleted = normaliseFirstPromoterWebhook(history[4].body, context);
    expect(deleted).toMatchObject({ observation: { state: 'REJECTED', sourceStatus: 'deleted', modifiedDate: '2026-10-15T08:00:00.000000Z' } });
    const earlyClock = normaliseFirstPromoterWebhook(editJson(history[4].body, { timestamp: '2026-10-11T00:00:00Z' }), context);
    expect(earlyClock).toMatchObject({ observation: { modifiedDate: '2026-10-12T10:00:00.000000Z' } });
  });

  it('takes updated_at when a payload carries it and it is later than status_updated_at', () => {
    const body = editJson(history[1].body, { 'data.updated_at': '2026-10-03T07:59:59.5Z' });
    expect(normaliseFirstPromoterWebhook(body, context)).toMatchObject({ observation: { modifiedDate: '2026-10-03T07:59:59.500000Z' } });
  });
});

describe('a FirstPromoter commission keeps the owner it was first observed with', () => {
  it('decides once, keeps it against later payloads, and notes what the source now says', () => {
    expect(decideFirstPromoterOwner(null, 'user-a')).toEqual({ owner: 'user-a', decided: true, sourceNamesOther: null });
    expect(decideFirstPromoterOwner('user-a', 'user-a')).toEqual({ owner: 'user-a', decided: false, sourceNamesOther: null });
    expect(decideFirstPromoterOwner('user-a', 'user-b')).toEqual({ owner: 'user-a', decided: false, sourceNamesOther: 'user-b' });
    expect(decideFirstPromoterOwner('user-a', '~unattributed')).toEqual({ owner: 'user-a', decided: false, sourceNamesOther: null });
  });

  it('gives a commission first kept unattributed to the first user a version names, once', () => {
    expect(decideFirstPromoterOwner(null, '~unattributed')).toEqual({ owner: '~unattributed', decided: true, sourceNamesOther: null });
    expect(decideFirstPromoterOwner('~unattributed', '~unattributed')).toEqual({ owner: '~unattributed', decided: false, sourceNamesOther: null });
    expect(decideFirstPromoterOwner('~unattributed', 'user-b')).toEqual({ owner: 'user-b', decided: true, sourceNamesOther: null });
  });

  it('a version published under the kept owner gets the id of that owner\'s content', () => {
    const result = normaliseFirstPromoterWebhook(history[0].body, context);
    if (result.kind !== 'commission') throw new Error('not a commission');
    const kept = withFirstPromoterVersion(result.observation, { versionDate: result.observation.modifiedDate, aui: 'user-a' });
    expect(kept.aui).toBe('user-a');
    expect(kept.observationId).not.toBe(result.observation.observationId);
  });
});
