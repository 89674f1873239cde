import { decideScheduledApproval, parseFirstPromoterApprovalMode, pendingCommissionOf } from '../approval';

describe('FirstPromoter approval modes', () => {
  it('reads auto, manual and after-days:N, and says what is wrong otherwise', () => {
    expect(parseFirstPromoterApprovalMode('auto')).toEqual({ kind: 'auto' });
    expect(parseFirstPromoterApprovalMode('manual')).toEqual({ kind: 'manual' });
    expect(parseFirstPromoterApprovalMode('after-days:30')).toEqual({ kind: 'after-days', days: 30 });
    expect(parseFirstPromoterApprovalMode('after-days:9999')).toBe('after-days takes at most 3650 days');
    expect(parseFirstPromoterApprovalMode('after:30')).toContain('is not auto, manual or after-days:N');
  });

  const listed = (change: Record<string, unknown> = {}) => ({ id: 88120, status: 'pending', created_at: '2026-09-01T10:00:00.000Z', fraud_check: 'no_suspicion', is_self_referral: false, ...change });

  it('after-days approves pending commissions once they are N days old, never earlier', () => {
    const mode = { kind: 'after-days' as const, days: 30 };
    const pending = pendingCommissionOf(listed())!;
    expect(decideScheduledApproval(pending, mode, '2026-10-01T09:59:59Z')).toEqual({ approve: false, reason: 'too-recent' });
    expect(decideScheduledApproval(pending, mode, '2026-10-01T10:00:00Z')).toEqual({ approve: true });
  });

  it('never approves what FirstPromoter\'s fraud check flagged, nor anything in auto and manual modes', () => {
    const now = '2027-01-01T00:00:00Z';
    expect(decideScheduledApproval(pendingCommissionOf(listed({ fraud_check: 'same_ip_suspicion' }))!, { kind: 'after-days', days: 1 }, now)).toEqual({ approve: false, reason: 'fraud-suspected' });
    expect(decideScheduledApproval(pendingCommissionOf(listed({ is_self_referral: true }))!, { kind: 'after-days', days: 1 }, now)).toEqual({ approve: false, reason: 'fraud-suspected' });
    expect(decideScheduledApproval(pendingCommissionOf(listed())!, { kind: 'manual' }, now)).toEqual({ approve: false, reason: 'mode-does-not-approve' });
    expect(decideScheduledApproval(pendingCommissionOf(listed())!, { kind: 'auto' }, now)).toEqual({ approve: false, reason: 'mode-does-not-approve' });
  });

  it('only a pending commission with an integer id and a creation time is a candidate (never a denied one)', () => {
    expect(pendingCommissionOf(listed())).toEqual({ commissionId: '88120', createdAt: '2026-09-01T10:00:00.000Z', suspected: false });
    expect(pendingCommissionOf(listed({ status: 'denied' }))).toBeNull();
    expect(pendingCommissionOf(listed({ id: '88120' }))).toBeNull();
    expect(pendingCommissionOf(listed({ created_at: 'yesterday' }))).toBeNull();
    expect(pendingCommissionOf(null)).toBeNull();
  });
});
