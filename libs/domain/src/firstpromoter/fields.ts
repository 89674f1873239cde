import { IdentifierKind, identifierProblem, readAmount, readTimestamp } from '../input-rules';
import { Decimal } from '../money/decimal';
import { FirstPromoterInvalid } from './context';

/**
 * Readers for untrusted JSON. They throw FieldProblem, which each exported normaliser turns into
 * a FirstPromoterInvalid result: the normalisers themselves never throw on bad input.
 * Messages name the field and what was expected, never the value (bodies can carry secrets).
 */
export type JsonRecord = Record<string, unknown>;

export class FieldProblem extends Error {
  constructor(
    readonly code: 'missing-field' | 'invalid-field',
    readonly field: string,
    message: string,
  ) {
    super(message);
  }

  toInvalid(): FirstPromoterInvalid {
    return { kind: 'invalid', code: this.code, field: this.field, message: `${this.field}: ${this.message}` };
  }
}

export const missing = (field: string): FieldProblem => new FieldProblem('missing-field', field, 'is required');
export const invalid = (field: string, expected: string): FieldProblem => new FieldProblem('invalid-field', field, expected);

/** Runs a reading; a FieldProblem becomes an `invalid` result, anything else is a bug and propagates. */
export function guarded<T>(read: () => T): T | FirstPromoterInvalid {
  try {
    return read();
  } catch (error) {
    if (error instanceof FieldProblem) return error.toInvalid();
    throw error;
  }
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; invalid: FirstPromoterInvalid };

export function parseJsonBody(rawBody: Buffer): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(rawBody.toString('utf8')) };
  } catch {
    return { ok: false, invalid: { kind: 'invalid', code: 'malformed-json', message: 'the body is not valid JSON' } };
  }
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requiredRecord(value: unknown, field: string): JsonRecord {
  if (isAbsent(value)) throw missing(field);
  if (!isRecord(value)) throw invalid(field, 'must be an object');
  return value;
}

export function optionalRecord(value: unknown): JsonRecord | null {
  return isRecord(value) ? value : null;
}

/** Ids and words arrive as strings or as JSON integers (`"90"` in legacy bodies, `88120` in v2). */
export function optionalText(value: unknown, field: string): string | null {
  if (isAbsent(value)) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  // Integers beyond 2^53 were already rounded by JSON.parse: refuse rather than use a wrong id.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw invalid(field, 'must be a string or an integer');
}

export function requiredText(value: unknown, field: string): string {
  const text = optionalText(value, field);
  if (text === null) throw missing(field);
  return text;
}

/**
 * An id (string or JSON integer) held to the identifier rule (input-rules): kept exactly as
 * sent, never trimmed; "" counts as absent.
 */
export function optionalIdentifier(value: unknown, field: string, kind: IdentifierKind = 'id'): string | null {
  if (isAbsent(value) || value === '') return null;
  const id = idText(value, field);
  const problem = identifierProblem(id, kind);
  if (problem !== null) throw invalid(field, problem);
  return id;
}

export function requiredIdentifier(value: unknown, field: string, kind: IdentifierKind = 'id'): string {
  const id = optionalIdentifier(value, field, kind);
  if (id === null) throw missing(field);
  return id;
}

function idText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  // Integers beyond 2^53 were already rounded by JSON.parse: refuse rather than use a wrong id.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw invalid(field, 'must be a string or an integer');
}

/** Amounts: decimal strings, or JSON numbers that a double carries exactly (at most 15 significant digits), within the amount rule. */
export function optionalDecimal(value: unknown, field: string): Decimal | null {
  if (isAbsent(value)) return null;
  const text = typeof value === 'number' ? exactNumberText(value, field) : typeof value === 'string' ? value : null;
  if (text === null) throw invalid(field, 'must be a decimal number');
  const reading = readAmount(text);
  if (!reading.ok) throw invalid(field, reading.problem);
  return reading.amount;
}

export function requiredDecimal(value: unknown, field: string): Decimal {
  const amount = optionalDecimal(value, field);
  if (amount === null) throw missing(field);
  return amount;
}

/** String(n) is the shortest text that round-trips; with 15 or fewer digits it is the sender's decimal. */
function exactNumberText(value: number, field: string): string {
  const text = String(value);
  const significant = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  if (!Number.isFinite(value) || /e/i.test(text) || significant.length > 15) {
    throw invalid(field, 'is a JSON number too long to read exactly; send it as a string');
  }
  return text;
}

/** A date held to the timestamp rule (input-rules): RFC 3339 with an offset, years 2000 to 2100. */
export function optionalTimestamp(value: unknown, field: string): string | null {
  if (isAbsent(value) || value === '') return null;
  if (typeof value !== 'string') throw invalid(field, 'must be an RFC 3339 timestamp');
  const reading = readTimestamp(value);
  if (!reading.ok) throw invalid(field, reading.problem);
  return reading.timestamp;
}

export function requiredTimestamp(value: unknown, field: string): string {
  const timestamp = optionalTimestamp(value, field);
  if (timestamp === null) throw missing(field);
  return timestamp;
}
