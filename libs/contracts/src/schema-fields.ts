/** Field rules shared by the event schemas, so a rule (an AUI's length, a time's form) has one place. */

/** A signed decimal as text: amounts never travel as JSON numbers. */
export const decimalPattern = '^-?[0-9]+(\\.[0-9]+)?$';
/** ISO-8601 UTC with up to nine fractional digits. */
export const utcTimePattern = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';

export const auiField = { type: 'string', minLength: 1, maxLength: 200 } as const;
export const unitField = { type: 'string', minLength: 1, maxLength: 40 } as const;
export const utcTimeField = { type: 'string', pattern: utcTimePattern } as const;

/** What PayoutExecuted and PayoutFailed both say of the payout: which one, for whom, how much, how. */
export const payoutFields = {
  schemaVersion: { const: 1 },
  payoutId: { type: 'string', minLength: 1, maxLength: 200 },
  aui: auiField,
  unit: unitField,
  amount: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
  method: { type: 'string', minLength: 1 },
} as const;
