import type { PayoutEventFields } from './payout-lifecycle';
import { decimalPattern, payoutFields, utcTimeField } from './schema-fields';

/**
 * A commission a payout covered, and how much of it (a decimal string; negative for a settled
 * return or a clawback the payout settled). `amount` was added within version 1: events written
 * before it carry none, and the ledger records only covered commissions with an amount.
 */
export interface CoveredCommission {
  source: string;
  commissionId: string;
  amount?: string;
}

/**
 * Money (or a non-monetary reward) left for a user. The ledger adds `amount` to `paidOut`.
 * `payoutId` is the idempotency key: the ledger applies a payout id once, however often it is replayed.
 */
export interface PayoutExecuted extends PayoutEventFields {
  type: 'PayoutExecuted';
  providerReference: string | null;
  /**
   * The commissions this payout covered, for audit, decided by the run and never changed: a cash
   * payout's amounts add up to `amount`; a reward payout lists the commissions it delivered in full.
   */
  coveredCommissions: CoveredCommission[];
  executedAt: string;
}

/** JSON Schema (draft 2020-12) of PayoutExecuted. */
export const payoutExecutedSchema = {
  $id: 'https://earnings-ledger.dev/schemas/payout-executed.v1.json',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'payoutId', 'aui', 'unit', 'amount', 'method', 'providerReference', 'coveredCommissions', 'executedAt'],
  properties: {
    type: { const: 'PayoutExecuted' },
    ...payoutFields,
    providerReference: { type: ['string', 'null'] },
    coveredCommissions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['source', 'commissionId'],
        properties: { source: { type: 'string' }, commissionId: { type: 'string' }, amount: { type: 'string', pattern: decimalPattern } },
      },
    },
    executedAt: utcTimeField,
  },
} as const;
