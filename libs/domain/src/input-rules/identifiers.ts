/**
 * The one rule for identifiers from partners (AUI, commission ids, callback and webhook ids,
 * merchant order ids, SKUs, merchant, device and application ids). An identifier is kept
 * exactly as sent, or refused: it is never trimmed or otherwise repaired into another one.
 */
export type IdentifierKind = 'aui' | 'id';

/**
 * At most this many characters (Unicode code points, as JSON Schema counts them): fits a UUID, a
 * URL-safe id or an e-mail address with room to spare, and stays far below PostgreSQL's
 * 2,704-byte index row limit. The event schemas (libs/contracts/src/schema-fields.ts) say the same.
 */
export const identifierLengthMax = 200;

/**
 * Control characters (C0, DEL, C1; NUL is refused by PostgreSQL text), lone surrogates (not
 * Unicode text; PostgreSQL jsonb refuses them) and the bidirectional marks, embeddings,
 * overrides and isolates, which make an id display as another one.
 */
const forbiddenCharacter = /[\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Owners the ledger names itself (the unattributed owner, `~unattributed`) begin with this; no partner's AUI may. */
export const RESERVED_AUI_PREFIX = '~';

/** MerchantSKU may list several SKUs; more than this in one record is not a purchase. */
export const merchantSkusMax = 100;

const loneSurrogate = /\p{Cs}/u;
const control = /\p{Cc}/u;

/** Why `text` is not an acceptable identifier, as words that follow the field's name; null when it is. Never repeats the value. */
export function identifierProblem(text: string, kind: IdentifierKind): string | null {
  if (text.length === 0) return 'is empty';
  if (loneSurrogate.test(text)) return 'is not well-formed Unicode (it holds a lone surrogate)';
  if (control.test(text)) return 'holds a control character';
  if (forbiddenCharacter.test(text)) return 'holds a bidirectional formatting character';
  if (/^\s|\s$/u.test(text)) return 'begins or ends with whitespace (identifiers are never trimmed)';
  if (codePointLength(text) > identifierLengthMax) return `is longer than ${identifierLengthMax} characters`;
  if (kind === 'aui' && text.startsWith(RESERVED_AUI_PREFIX)) return `begins with "${RESERVED_AUI_PREFIX}", which the ledger reserves for its own owners`;
  return null;
}

/** Characters as JSON Schema's maxLength counts them: code points, not UTF-16 units. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _codePoint of text) length += 1;
  return length;
}
