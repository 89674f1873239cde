/**
 * Field rules shared by the event schemas, so a rule (an AUI's length, a time's form) has one
 * place. The edges apply the same rules with a message per field (libs/domain/src/input-rules,
 * whose tests check that both agree); the schemas apply them again when a consumer reads an event, so a message produced straight to
 * a topic cannot bring in what the edges refuse.
 */

/**
 * Identifiers (AUI, commission, delivery, order and payout ids, SKUs) are at most this many
 * characters (Unicode code points, as JSON Schema counts). Fits a UUID, a URL-safe id or an
 * e-mail address with room to spare; far below PostgreSQL's 2,704-byte index row limit.
 */
export const identifierLengthMax = 200;

/**
 * Characters no identifier may hold, as a regular-expression class body (Unicode mode):
 * control characters (C0, DEL, C1, which includes NUL, refused by PostgreSQL text), lone
 * surrogates (not Unicode text: PostgreSQL jsonb refuses them) and the bidirectional marks,
 * embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069),
 * which make an id display as another one.
 */
export const identifierForbiddenCharacters = '\\p{Cc}\\p{Cs}\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069';

/** An identifier: none of the forbidden characters, and no whitespace at either end (" x " is not "x"). */
export const identifierPattern = `^(?!\\s)[^${identifierForbiddenCharacters}]*(?<!\\s)$`;

export const identifierField = { type: 'string', minLength: 1, maxLength: identifierLengthMax, pattern: identifierPattern } as const;
export const nullableIdentifierField = { type: ['string', 'null'], minLength: 1, maxLength: identifierLengthMax, pattern: identifierPattern } as const;

/**
 * Amounts from partners: at most 18 digits before the point (a quintillion, beyond any
 * commission in any currency or unit) and 12 after (Wildfire sends five or more), no exponent.
 */
export const amountIntegerDigitsMax = 18;
export const amountFractionDigitsMax = 12;
/**
 * Amounts in events: an event's user amount is a partner amount times the user's share (at most
 * 1, with at most 12 fractional digits), so it may carry up to 24 digits after the point; never
 * more than 18 before it.
 */
export const eventAmountFractionDigitsMax = amountFractionDigitsMax * 2;

/** A signed decimal as text: amounts never travel as JSON numbers. */
export const decimalPattern = `^-?[0-9]{1,${amountIntegerDigitsMax}}(\\.[0-9]{1,${eventAmountFractionDigitsMax}})?$`;
/** A non-negative decimal as text, bounded like every amount. */
export const nonNegativeDecimalPattern = `^[0-9]{1,${amountIntegerDigitsMax}}(\\.[0-9]{1,${eventAmountFractionDigitsMax}})?$`;

/** Source dates are refused outside these years (after applying the offset): a year 9999 would freeze a commission. */
export const timestampYearMin = 2000;
export const timestampYearMax = 2100;
/** ISO-8601 UTC with up to nine fractional digits, in the years 2000 to 2100. */
export const utcTimePattern = '^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';
/** The ledger's version time: the same range, with exactly six fractional digits (microseconds, canonical). */
export const utcMicrosTimePattern = '^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$';

export const auiField = identifierField;

/**
 * A tracking code that could not be an AUI, kept for support as a visible JSON string literal
 * (libs/domain/src/input-rules/display-text.ts): at most 200 characters of the code, each escaped
 * to at most 6 (`\\uXXXX`), plus the quotes and a note of the full length when it was cut. Free of
 * the characters no identifier may hold, since every one of them is escaped.
 */
export const trackingCodeAsSentLengthMax = 1_300;
export const trackingCodeAsSentField = { type: 'string', minLength: 2, maxLength: trackingCodeAsSentLengthMax, pattern: identifierPattern } as const;
/** A currency code or a reward unit: short, and held to the identifier characters. */
export const unitField = { type: 'string', minLength: 1, maxLength: 40, pattern: identifierPattern } as const;
export const utcTimeField = { type: 'string', pattern: utcTimePattern } as const;

/** What PayoutExecuted and PayoutFailed both say of the payout: which one, for whom, how much, how. */
export const payoutFields = {
  schemaVersion: { const: 1 },
  payoutId: identifierField,
  aui: auiField,
  unit: unitField,
  amount: { type: 'string', pattern: nonNegativeDecimalPattern },
  method: { type: 'string', minLength: 1 },
} as const;
