import type { PayoutEventFields } from './payout-lifecycle';
import { payoutFields, utcTimeField } from './schema-fields';

/**
 * A payout ended without money leaving: the provider refused it definitively. The payout service
 * released its reservation. Published on its own topic (earnings.payout-failed.v1), so consumers
 * of payout-executed (the ledger) never see it: nothing in the ledger changes.
 */
export interface PayoutFailed extends PayoutEventFields {
  type: 'PayoutFailed';
  /** The provider's words for the refusal (`DENIED`, `RECEIVER_UNREGISTERED`, ...). */
  reason: string;
  failedAt: string;
}

/** JSON Schema (draft 2020-12) of PayoutFailed. */
export const payoutFailedSchema = {
  $id: 'https://earnings-ledger.dev/schemas/payout-failed.v1.json',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'payoutId', 'aui', 'unit', 'amount', 'method', 'reason', 'failedAt'],
  properties: {
    type: { const: 'PayoutFailed' },
    ...payoutFields,
    reason: { type: 'string', maxLength: 2000 },
    failedAt: utcTimeField,
  },
} as const;
