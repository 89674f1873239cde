import { payoutFields, utcTimeField } from './schema-fields';

/** What every payout event says of its payout: which one, for whom, how much (a non-negative decimal string), how. */
export interface PayoutEventFields {
  schemaVersion: 1;
  payoutId: string;
  aui: string;
  unit: string;
  amount: string;
  method: string;
}

/**
 * The payout service decided to pay `amount` and holds it: the ledger adds it to `reserved`, so
 * `available` drops the moment a payout is requested (a second run, or the user, cannot spend it
 * again). The hold ends with PayoutExecuted (paid out) or PayoutFailed (released).
 */
export interface PayoutRequested extends PayoutEventFields {
  type: 'PayoutRequested';
  requestedAt: string;
}

/** The provider accepted the payout and is working on it (PayPal PENDING, a gift card order placed): still held. */
export interface PayoutSubmitted extends PayoutEventFields {
  type: 'PayoutSubmitted';
  submittedAt: string;
}

/**
 * Money that had left came back after success (PayPal item RETURNED, REFUNDED, REVERSED or BLOCKED,
 * an unclaimed payment returned after 30 days, a cancelled gift card, a reward delivery the partner
 * took back). The ledger takes `amount` off `paidOut`, so it is available again.
 */
export interface PayoutReturned extends PayoutEventFields {
  type: 'PayoutReturned';
  /** The provider's words (`RETURNED`, `UNCLAIMED`, `cancelled`, `reversed by the partner`). */
  reason: string;
  returnedAt: string;
}

/** The schema of one payout step: the shared payout fields plus the step's own. */
function payoutStepSchema<Fields extends Record<string, object>>(type: string, fields: Fields) {
  return {
    $id: `https://earnings-ledger.dev/schemas/${type.replace(/^Payout/, 'payout-').toLowerCase()}.v1.json`,
    type: 'object',
    additionalProperties: false,
    required: ['type', 'schemaVersion', 'payoutId', 'aui', 'unit', 'amount', 'method', ...Object.keys(fields)],
    properties: { type: { const: type }, ...payoutFields, ...fields },
  } as const;
}

/** JSON Schema (draft 2020-12) of PayoutRequested. */
export const payoutRequestedSchema = payoutStepSchema('PayoutRequested', { requestedAt: utcTimeField });

/** JSON Schema (draft 2020-12) of PayoutSubmitted. */
export const payoutSubmittedSchema = payoutStepSchema('PayoutSubmitted', { submittedAt: utcTimeField });

/** JSON Schema (draft 2020-12) of PayoutReturned. */
export const payoutReturnedSchema = payoutStepSchema('PayoutReturned', { reason: { type: 'string', maxLength: 2000 }, returnedAt: utcTimeField });
