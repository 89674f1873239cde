import { identifierLengthMax } from './identifiers';

/**
 * The rule for partner text that does not decide any money (merchant order ids, SKUs, merchant,
 * device and application ids, delivery ids): it never refuses a record. Its exact bytes stay on
 * the raw topic; what is stored and shown is this cleaned copy, which the event schema's
 * identifier rule accepts, so a consumer never dead-letters an observation for its metadata.
 */
export type DisplayTextChange =
  /** Control characters, lone surrogates or bidirectional formatting characters were taken out. */
  | 'removed-characters'
  /** Whitespace at either end was taken off. */
  | 'trimmed'
  /** Longer than the bound (characters, or entries of a list): cut to it. */
  | 'shortened'
  /** Not text at all (an object, a boolean, a fraction where an id belongs), or two spellings of one field: dropped. */
  | 'unreadable';

export interface DisplayText {
  /** The cleaned text; null when nothing is left. */
  text: string | null;
  changes: DisplayTextChange[];
}

/** The identifier rule's forbidden characters (identifiers.ts, schema-fields.ts): what display text never holds. */
const forbiddenCharacters = /[\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * The cleaned copy of `raw`: forbidden characters removed, whitespace trimmed at both ends, at
 * most `lengthMax` characters (code points, as the schema counts them). Pure and idempotent.
 */
export function displayText(raw: string, lengthMax: number = identifierLengthMax): DisplayText {
  const changes: DisplayTextChange[] = [];
  let text = raw.replace(forbiddenCharacters, '');
  if (text !== raw) changes.push('removed-characters');
  const trimmed = text.trim();
  if (trimmed !== text) changes.push('trimmed');
  text = trimmed;
  const codePoints = Array.from(text);
  if (codePoints.length > lengthMax) {
    changes.push('shortened');
    // Cutting may leave whitespace at the new end.
    text = codePoints.slice(0, lengthMax).join('').trimEnd();
  }
  return { text: text === '' ? null : text, changes };
}

/**
 * A value as sent, written so that support can read it and nothing in it can hide or disguise a
 * character: a JSON string literal in which every control, format (bidirectional marks included),
 * surrogate, private-use, unassigned and non-space whitespace character is a `\uXXXX` escape.
 * `JSON.parse` of the literal gives the value back exactly, unless it was longer than
 * `lengthMax` characters: then the literal holds its beginning and says how long it was.
 */
export function visibleLiteral(value: string, lengthMax = visibleLiteralLengthMax): string {
  const quoted = (text: string) => `"${escapeInvisible(text.replace(/["\\]/g, '\\$&'))}"`;
  const codePoints = Array.from(value);
  if (codePoints.length <= lengthMax) return quoted(value);
  return `${quoted(codePoints.slice(0, lengthMax).join(''))}… (${codePoints.length} characters in all)`;
}

/** JSON text (a value that was not a string) made visible the same way, its invisible characters escaped; bounded like a literal. */
export function visibleJson(jsonText: string, lengthMax = visibleLiteralLengthMax): string {
  const codePoints = Array.from(jsonText);
  if (codePoints.length <= lengthMax) return escapeInvisible(jsonText);
  return `${escapeInvisible(codePoints.slice(0, lengthMax).join(''))}… (${codePoints.length} characters in all)`;
}

/** Characters of a value kept in a visible literal: enough to recognise any tracking code, bounded for storage. */
export const visibleLiteralLengthMax = 200;

const invisibleCharacter = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u;

function escapeInvisible(value: string): string {
  let escaped = '';
  for (const character of value) escaped += invisibleCharacter.test(character) ? unicodeEscapes(character) : character;
  return escaped;
}

/** `\uXXXX` per UTF-16 unit, as JSON writes a character outside the Basic Multilingual Plane. */
function unicodeEscapes(character: string): string {
  let escaped = '';
  for (let index = 0; index < character.length; index += 1) escaped += `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`;
  return escaped;
}
