import { auiField, eventAmountFractionDigitsMax, identifierPattern, unitField, utcTimeField } from './schema-fields';

/**
 * A user's balance in one unit after the ledger applied one or more events. Keyed by AUI.
 * `sequence` increases by one for every change of that AUI (all units), so a consumer can
 * drop a stale or repeated message by comparing it with the last sequence it saw.
 */
export interface BalanceChanged {
  type: 'BalanceChanged';
  schemaVersion: 1;
  aui: string;
  unit: string;
  sequence: string;
  lifetime: string;
  pending: string;
  available: string;
  paidOut: string;
  paidByNetwork: string;
  /** Payouts requested or at the provider: held, already out of `available`. */
  reserved: string;
  /** Returns and refunds not settled yet (negative amounts still pending, confirmed or ready): 0 or less; withheld from payouts. */
  pendingReversals: string;
  /** Observation and payout ids whose application caused this change. */
  causedBy: string[];
  changedAt: string;
}

/**
 * A balance figure: a sum of event amounts, so it may carry their 24 fractional digits; a few
 * more integer digits than one amount (18), since a sum of many can outgrow any single one.
 */
const balanceFigureField = { type: 'string', pattern: `^-?[0-9]{1,24}(\\.[0-9]{1,${eventAmountFractionDigitsMax}})?$` } as const;

/** JSON Schema (draft 2020-12) of BalanceChanged: checked when the projector writes it and when each consumer reads it. */
export const balanceChangedSchema = {
  $id: 'https://earnings-ledger.dev/schemas/balance-changed.v1.json',
  type: 'object',
  additionalProperties: false,
  // pendingReversals is optional: events of an earlier release (still within the topic's 30 days) carry none.
  required: ['type', 'schemaVersion', 'aui', 'unit', 'sequence', 'lifetime', 'pending', 'available', 'paidOut', 'paidByNetwork', 'reserved', 'causedBy', 'changedAt'],
  properties: {
    type: { const: 'BalanceChanged' },
    schemaVersion: { const: 1 },
    aui: auiField,
    unit: unitField,
    // A bigint as text: positive, at most 19 digits (PostgreSQL bigint).
    sequence: { type: 'string', pattern: '^[1-9][0-9]{0,18}$' },
    lifetime: balanceFigureField,
    pending: balanceFigureField,
    available: balanceFigureField,
    paidOut: balanceFigureField,
    paidByNetwork: balanceFigureField,
    reserved: balanceFigureField,
    pendingReversals: balanceFigureField,
    // Observation ids (up to 400 characters) and payout ids; one chunk of events at most, bounded generously.
    causedBy: { type: 'array', maxItems: 100_000, items: { type: 'string', minLength: 1, maxLength: 400, pattern: identifierPattern } },
    changedAt: utcTimeField,
  },
} as const;
