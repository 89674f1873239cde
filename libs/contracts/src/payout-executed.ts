import type { PayoutEventFields } from './payout-lifecycle';
import { payoutFields, utcTimeField } from './schema-fields';

/**
 * Money (or a non-monetary reward) left for a user. The ledger adds `amount` to `paidOut`.
 * `payoutId` is the idempotency key: the ledger applies a payout id once, however often it is replayed.
 */
export interface PayoutExecuted extends PayoutEventFields {
  type: 'PayoutExecuted';
  providerReference: string | null;
  /** The commissions this payout covered, for audit. */
  coveredCommissions: { source: string; commissionId: string }[];
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
        properties: { source: { type: 'string' }, commissionId: { type: 'string' } },
      },
    },
    executedAt: utcTimeField,
  },
} as const;
