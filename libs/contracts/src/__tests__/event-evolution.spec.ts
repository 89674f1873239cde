import { BalanceChanged } from '../balance-changed';
import { CommissionObserved, isFlaggedByFraudCheck } from '../commission-observed';
import { PayoutExecuted } from '../payout-executed';
import { PayoutFailed } from '../payout-failed';
import { PayoutRequested, PayoutReturned, PayoutSubmitted } from '../payout-lifecycle';
import { Topics } from '../topics';
import { checkBalanceChanged, checkCommissionObserved, checkPayoutExecuted, checkPayoutLifecycle, parseBalanceChanged, parseCommissionObserved, parseLedgerInput } from '../validation';

const observation: CommissionObserved = {
  type: 'CommissionObserved', schemaVersion: 1, observationId: 'wildfire:77:2026-01-05T10:00:00.000000Z', source: 'wildfire', channel: 'callback',
  commissionId: '77', aui: 'user-1', state: 'CONFIRMED', sourceStatus: 'confirmed', unit: 'USD', userAmount: '12.34', applicationAmount: null,
  paidByNetwork: false, saleAmount: null, saleCurrency: null, applicationId: null, merchantId: null, deviceId: null, merchantOrderId: null,
  merchantSkus: [], eventDate: null, lockingDate: null, createdDate: null, modifiedDate: '2026-01-05T10:00:00.000000Z', deliveryId: null,
  apiVersion: 'v2', observedAt: '2026-01-05T10:00:01Z',
};
const balance: BalanceChanged = {
  type: 'BalanceChanged', schemaVersion: 1, aui: 'user-1', unit: 'USD', sequence: '3', lifetime: '12.34', pending: '12.34', available: '0', paidOut: '0',
  paidByNetwork: '0', reserved: '0', pendingReversals: '0', causedBy: [observation.observationId], changedAt: '2026-01-05T10:00:02Z',
};
const payoutFields = { schemaVersion: 1, payoutId: 'payout-1', aui: 'user-1', unit: 'USD', amount: '10', method: 'paypal' } as const;
const executed: PayoutExecuted = { type: 'PayoutExecuted', ...payoutFields, providerReference: 'PP-1', coveredCommissions: [{ source: 'wildfire', commissionId: '77' }], executedAt: '2026-01-06T00:00:00Z' };
const failed: PayoutFailed = { type: 'PayoutFailed', ...payoutFields, reason: 'DENIED', failedAt: '2026-01-06T00:00:00Z' };
const requested: PayoutRequested = { type: 'PayoutRequested', ...payoutFields, requestedAt: '2026-01-06T00:00:00Z' };
const submitted: PayoutSubmitted = { type: 'PayoutSubmitted', ...payoutFields, submittedAt: '2026-01-06T00:00:00Z' };
const returned: PayoutReturned = { type: 'PayoutReturned', ...payoutFields, reason: 'RETURNED', returnedAt: '2026-01-06T00:00:00Z' };

/** What a newer producer of the same version might add: an optional field this release does not know. */
const withAddedField = (event: object) => JSON.stringify({ ...event, loyaltyTier: 'gold' });

describe('events within a version: producers strict, consumers tolerant of added fields', () => {
  it('a producer may not write a field its schema does not have', () => {
    expect(checkCommissionObserved({ ...observation, loyaltyTier: 'gold' })).toEqual({ ok: false, reason: '(root) must NOT have additional properties' });
    expect(checkBalanceChanged({ ...balance, loyaltyTier: 'gold' }).ok).toBe(false);
    expect(checkPayoutExecuted({ ...executed, coveredCommissions: [{ source: 'wildfire', commissionId: '77', share: '1' }] }).ok).toBe(false);
    expect(checkPayoutLifecycle({ ...submitted, loyaltyTier: 'gold' }).ok).toBe(false);
  });

  it('a consumer reads an event with an added field as the event it knows, the field dropped', () => {
    expect(parseCommissionObserved(withAddedField(observation))).toEqual({ ok: true, value: observation });
    expect(parseBalanceChanged(withAddedField(balance))).toEqual({ ok: true, value: balance });
    expect(parseLedgerInput(Topics.commissionObserved, withAddedField(observation))).toEqual({ ok: true, value: observation });
    expect(parseLedgerInput(Topics.payoutFailed, withAddedField(failed))).toEqual({ ok: true, value: failed });
    const nested = JSON.stringify({ ...executed, coveredCommissions: [{ source: 'wildfire', commissionId: '77', share: '1' }], loyaltyTier: 'gold' });
    expect(parseLedgerInput(Topics.payoutExecuted, nested)).toEqual({ ok: true, value: executed });
    // Each payout step by its own schema: a step's own fields are never dropped as another step's unknowns.
    for (const step of [requested, submitted, returned]) expect(parseLedgerInput(Topics.payoutLifecycle, withAddedField(step))).toEqual({ ok: true, value: step });
  });

  it('a consumer still checks every field it knows, and refuses another version or an unknown event type', () => {
    expect(parseCommissionObserved(JSON.stringify({ ...observation, userAmount: 12.34, loyaltyTier: 'gold' }))).toEqual({ ok: false, reason: '/userAmount must be string' });
    expect(parseBalanceChanged(JSON.stringify({ ...balance, sequence: undefined, loyaltyTier: 'gold' }))).toEqual({ ok: false, reason: "(root) must have required property 'sequence'" });
    expect(parseCommissionObserved(JSON.stringify({ ...observation, schemaVersion: 2 })).ok).toBe(false);
    expect(parseLedgerInput(Topics.payoutLifecycle, JSON.stringify({ ...submitted, type: 'PayoutCancelled' })).ok).toBe(false);
  });
});

describe('CommissionObserved gains fraud signals (issue 27) without breaking older events', () => {
  it('an older observation without them is read as it is, and means not flagged', () => {
    expect(parseCommissionObserved(JSON.stringify(observation))).toEqual({ ok: true, value: observation });
    expect(isFlaggedByFraudCheck(observation)).toBe(false);
  });

  it('a newer one carries them, checked; flagged when the fraud check is not no_suspicion or it is a self-referral', () => {
    const clean = { ...observation, fraudCheck: 'no_suspicion', isSelfReferral: false };
    expect(checkCommissionObserved(clean).ok).toBe(true);
    expect(parseCommissionObserved(JSON.stringify(clean))).toEqual({ ok: true, value: clean });
    expect(isFlaggedByFraudCheck(clean)).toBe(false);
    expect(isFlaggedByFraudCheck({ ...clean, fraudCheck: 'same_ip_suspicion' })).toBe(true);
    expect(isFlaggedByFraudCheck({ ...clean, isSelfReferral: true })).toBe(true);
    expect(checkCommissionObserved({ ...observation, isSelfReferral: 'yes' }).ok).toBe(false);
  });
});
