import { CommissionObserved } from '@earnings/contracts';
import { LedgerCommission, observationsToRepair, reconcile } from '../reconcile-report';

const window = { from: '2026-01-01T00:00:00.000000Z', to: '2026-02-01T00:00:00.000000Z' };

function observed(commissionId: string, change: Partial<CommissionObserved> = {}): CommissionObserved {
  const modifiedDate = change.modifiedDate ?? '2026-01-10T00:00:00.000001Z';
  return {
    type: 'CommissionObserved', schemaVersion: 1, observationId: `wildfire:${commissionId}:${modifiedDate}`, source: 'wildfire', channel: 'api', commissionId,
    aui: 'user-1', state: 'PAYABLE', sourceStatus: 'paid', unit: 'USD', userAmount: '1.50', applicationAmount: '1.50', paidByNetwork: false, saleAmount: null,
    saleCurrency: null, applicationId: null, merchantId: null, deviceId: null, merchantOrderId: null, merchantSkus: [], eventDate: null, lockingDate: null,
    createdDate: null, modifiedDate, deliveryId: null, apiVersion: 'v4', observedAt: '2026-01-20T00:00:00Z', ...change,
  };
}

function held(commissionId: string, change: Partial<LedgerCommission> = {}): LedgerCommission {
  return { source: 'wildfire', commissionId, aui: 'user-1', unit: 'USD', userAmount: '1.5', state: 'PAYABLE', modifiedDate: '2026-01-10T00:00:00.000001Z', ...change };
}

const given = (sourceSays: CommissionObserved[], ledgerHas: LedgerCommission[]) => reconcile({ source: 'wildfire', window, sourceSays, ledgerHas });

describe('reconcile', () => {
  it('finds nothing when the ledger holds what the source says (amounts compared as numbers: 1.50 is 1.5)', () => {
    expect(given([observed('1'), observed('2')], [held('1'), held('2')])).toMatchObject({ compared: 2, counts: { missing: 0, differing: 0, unknown: 0 }, findings: [] });
  });

  it('reports a commission the ledger never applied as missing, and repairs it with the source version', () => {
    const report = given([observed('1'), observed('2')], [held('1')]);
    expect(report.findings).toEqual([{ kind: 'missing', source: 'wildfire', commissionId: '2', sourceSays: expect.objectContaining({ userAmount: '1.5', aui: 'user-1' }) }]);
    expect(observationsToRepair(report, [observed('1'), observed('2')]).map((observation) => observation.commissionId)).toEqual(['2']);
  });

  it('reports an older ledger version that disagrees on amount, status or owner as differing, naming the fields', () => {
    const newer = { modifiedDate: '2026-01-15T00:00:00.000000Z' };
    const report = given([observed('1', { ...newer, userAmount: '2', state: 'REJECTED', aui: 'user-2' })], [held('1')]);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'differing', commissionId: '1', fields: ['amount', 'status', 'owner'] })]);
    expect(report.counts).toEqual({ missing: 0, differing: 1, unknown: 0 });
  });

  it('does not count a ledger version newer than the source listed (a callback ahead of the API)', () => {
    const report = given([observed('1')], [held('1', { modifiedDate: '2026-01-11T00:00:00.000000Z', state: 'REJECTED' })]);
    expect(report).toMatchObject({ ledgerAhead: 1, findings: [] });
  });

  it('reports a ledger commission modified in the window that the source does not list as unknown, and never repairs it', () => {
    const report = given([observed('1')], [held('1'), held('9'), held('8', { modifiedDate: '2025-12-01T00:00:00.000000Z' })]);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'unknown', commissionId: '9' })]);
    expect(observationsToRepair(report, [observed('1')])).toEqual([]);
  });

  it('compares the newest version when the source lists a commission twice', () => {
    const report = given([observed('1', { modifiedDate: '2026-01-12T00:00:00.000000Z', userAmount: '3' }), observed('1')], [held('1', { modifiedDate: '2026-01-12T00:00:00.000000Z', userAmount: '3' })]);
    expect(report.findings).toEqual([]);
  });
});
