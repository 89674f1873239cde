import { toEpochMicros } from '../time/source-timestamp';
import { isRecord } from './fields';

/**
 * How FirstPromoter commissions get approved. `auto`: FirstPromoter approves them itself (its
 * auto-approve setting). `after-days`: this deployment approves pending commissions once they are
 * N days old (a refund window). `manual`: only an operator's explicit ids are approved.
 */
export type FirstPromoterApprovalMode = { kind: 'auto' } | { kind: 'manual' } | { kind: 'after-days'; days: number };

export const approvalDaysMax = 3_650;

/** `auto`, `manual` or `after-days:N`; the problem with the text otherwise. */
export function parseFirstPromoterApprovalMode(text: string): FirstPromoterApprovalMode | string {
  if (text === 'auto' || text === 'manual') return { kind: text };
  const match = /^after-days:([0-9]{1,4})$/.exec(text);
  if (match === null) return `"${text}" is not auto, manual or after-days:N`;
  const days = Number(match[1]);
  if (days > approvalDaysMax) return `after-days takes at most ${approvalDaysMax} days`;
  return { kind: 'after-days', days };
}

/** A commission the API lists as pending, as far as approving it goes. */
export interface PendingFirstPromoterCommission {
  commissionId: string;
  createdAt: string;
  /** FirstPromoter's fraud check flagged it (`fraud_check` other than `no_suspicion`, or a self-referral). */
  suspected: boolean;
}

/**
 * Reads an API commission leniently: only a pending one with an integer id and a creation time is
 * a candidate; anything else is not this flow's to approve.
 */
export function pendingCommissionOf(listed: unknown): PendingFirstPromoterCommission | null {
  if (!isRecord(listed) || typeof listed.status !== 'string' || listed.status.toLowerCase() !== 'pending') return null;
  const id = listed.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0 || typeof listed.created_at !== 'string') return null;
  try {
    toEpochMicros(listed.created_at);
  } catch {
    return null;
  }
  const fraud = listed.fraud_check;
  const suspected = (typeof fraud === 'string' && fraud !== 'no_suspicion') || listed.is_self_referral === true;
  return { commissionId: String(id), createdAt: listed.created_at, suspected };
}

export type ApprovalDecision = { approve: true } | { approve: false; reason: 'mode-does-not-approve' | 'too-recent' | 'fraud-suspected' };

/**
 * Whether the scheduled approval approves this pending commission now. A commission FirstPromoter's
 * fraud check flagged is never approved automatically: an operator approves it by id.
 */
export function decideScheduledApproval(commission: PendingFirstPromoterCommission, mode: FirstPromoterApprovalMode, now: string): ApprovalDecision {
  switch (mode.kind) {
    case 'auto':
    case 'manual':
      return { approve: false, reason: 'mode-does-not-approve' };
    case 'after-days': {
      const ageMicros = toEpochMicros(now) - toEpochMicros(commission.createdAt);
      if (ageMicros < BigInt(mode.days) * 86_400_000_000n) return { approve: false, reason: 'too-recent' };
      return commission.suspected ? { approve: false, reason: 'fraud-suspected' } : { approve: true };
    }
  }
}
