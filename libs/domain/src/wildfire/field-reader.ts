import { IdentifierKind, identifierProblem, readAmount, readRfc3339, readTimestamp } from '../input-rules';
import { Decimal } from '../money/decimal';
import { CanonicalTimestamp, toEpochMicros } from '../time/source-timestamp';
import { isJsonNumber } from './exact-json';
import { WildfireInvalid, WildfireInvalidCode } from './wildfire-types';

/**
 * Thrown while reading a record and turned into a `WildfireInvalid` result at the public boundary,
 * so each reader stays a short function instead of threading results through every call.
 */
export class WildfireRecordProblem extends Error {
  constructor(readonly invalid: WildfireInvalid) {
    super(invalid.message);
  }
}

export function problem(code: WildfireInvalidCode, field: string, message: string): never {
  throw new WildfireRecordProblem({ kind: 'invalid', code, field, message: `${field} ${message}` });
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isJsonNumber(value);
}

/** The Go zero time: Wildfire's way of saying "no date" (documented for LockingDate), in any spelling. */
const ZERO_TIME_MICROS = toEpochMicros('0001-01-01T00:00:00Z');
const integerText = /^-?[0-9]+$/;

/**
 * Reads fields of one JSON object by name, ignoring letter case: Wildfire versions spell the same
 * field `ModifiedDate`, `modifieddate` or `modifiedDate`. Errors name the documented PascalCase
 * field under `path` (`Payload.ModifiedDate`). Absent and `null` both count as missing.
 */
export class FieldReader {
  constructor(
    private readonly fields: JsonObject,
    private readonly path: string,
  ) {}

  nameOf(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  /** The value, or undefined when absent or null. Two spellings of one field are ambiguous: refused. */
  value(field: string): unknown {
    const matches = this.keysOf(field);
    if (matches.length > 1) problem('invalid-field', this.nameOf(field), 'appears more than once with different letter case');
    const value = matches.length === 1 ? this.fields[matches[0]] : undefined;
    return value === null ? undefined : value;
  }

  /** Every value sent under the field's name in any letter case, null ones left out: for readers that must not refuse. */
  values(field: string): unknown[] {
    return this.keysOf(field).map((key) => this.fields[key]).filter((value) => value !== null);
  }

  private keysOf(field: string): string[] {
    const wanted = field.toLowerCase();
    return Object.keys(this.fields).filter((key) => key.toLowerCase() === wanted);
  }

  requiredValue(field: string): unknown {
    const value = this.value(field);
    if (value === undefined) problem('missing-field', this.nameOf(field), 'is missing');
    return value;
  }

  has(field: string): boolean {
    return this.value(field) !== undefined;
  }

  object(field: string): FieldReader {
    const value = this.requiredValue(field);
    if (!isJsonObject(value)) problem('invalid-field', this.nameOf(field), 'must be a JSON object');
    return new FieldReader(value, this.nameOf(field));
  }

  /** A string field, trimmed; blank counts as missing. */
  requiredText(field: string): string {
    const text = this.optionalText(field);
    if (text === null) problem('missing-field', this.nameOf(field), 'is missing or blank');
    return text;
  }

  optionalText(field: string): string | null {
    const value = this.value(field);
    if (value === undefined) return null;
    if (typeof value !== 'string') problem('invalid-field', this.nameOf(field), 'must be a string');
    const text = value.trim();
    return text === '' ? null : text;
  }

  /**
   * An id sent as a string or a JSON integer, as a string ("0" is a real application id), held to
   * the identifier rule (input-rules): kept exactly as sent, never trimmed. "" means absent.
   */
  requiredId(field: string, kind: IdentifierKind = 'id'): string {
    const id = this.optionalId(field, kind);
    if (id === null) problem('missing-field', this.nameOf(field), 'is missing or blank');
    return id;
  }

  optionalId(field: string, kind: IdentifierKind = 'id'): string | null {
    const value = this.value(field);
    if (value === undefined || value === '') return null;
    const id = this.idText(field, value);
    const idProblem = identifierProblem(id, kind);
    if (idProblem !== null) problem('invalid-field', this.nameOf(field), idProblem);
    return id;
  }

  private idText(field: string, value: unknown): string {
    if (typeof value === 'string') return value;
    if (isJsonNumber(value) && integerText.test(value.value)) return value.value;
    // A JS number comes from a caller that used JSON.parse: beyond 2^53 it may already be wrong.
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    return problem('invalid-field', this.nameOf(field), 'must be a string or a whole number');
  }

  /** An exact decimal sent as a string ("2.88475") or a JSON number (2.88475, kept as written), within the amount rule. */
  requiredDecimal(field: string): Decimal {
    const amount = this.optionalDecimal(field);
    if (amount === null) problem('missing-field', this.nameOf(field), 'is missing or blank');
    return amount;
  }

  optionalDecimal(field: string): Decimal | null {
    const value = this.value(field);
    if (value === undefined || value === '') return null;
    const text = amountTextOf(value);
    if (text === null) problem('invalid-field', this.nameOf(field), 'is not a decimal number');
    const reading = readAmount(text);
    if (!reading.ok) problem('invalid-field', this.nameOf(field), reading.problem);
    return reading.amount;
  }

  requiredTimestamp(field: string): CanonicalTimestamp {
    const timestamp = this.optionalTimestamp(field, { noDateAllowed: false });
    if (timestamp === null) problem('missing-field', this.nameOf(field), 'is missing or blank');
    return timestamp;
  }

  /** An optional date; the Go zero time `0001-01-01T00:00:00Z` means "none", as Wildfire documents, where allowed. */
  optionalTimestamp(field: string, { noDateAllowed } = { noDateAllowed: true }): CanonicalTimestamp | null {
    const value = this.value(field);
    if (value === undefined || value === '') return null;
    if (typeof value !== 'string') problem('invalid-field', this.nameOf(field), 'must be a string');
    const sentinel = readRfc3339(value);
    if (noDateAllowed && sentinel.ok && sentinel.epochMicros === ZERO_TIME_MICROS) return null;
    const reading = readTimestamp(value);
    if (!reading.ok) problem('invalid-field', this.nameOf(field), reading.problem);
    return reading.timestamp;
  }
}

/** The amount as written: a string, a JSON number's exact text, or a JS number's shortest text (the caller used JSON.parse). */
function amountTextOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isJsonNumber(value)) return value.value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
