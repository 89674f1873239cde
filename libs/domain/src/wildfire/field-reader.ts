import { Decimal, parseDecimal } from '../money/decimal';
import { canonicalTimestamp, CanonicalTimestamp, InvalidTimestampError } from '../time/source-timestamp';
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

/** The Go zero time: Wildfire's way of saying "no date" (documented for LockingDate). */
const ZERO_TIME = '0001-01-01T00:00:00.000000Z';
/** The contract caps ids and the AUI at 200 characters. */
const MAXIMUM_ID_LENGTH = 200;
const integerText = /^-?[0-9]+$/;
const jsonNumberText = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

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
    const wanted = field.toLowerCase();
    const matches = Object.keys(this.fields).filter((key) => key.toLowerCase() === wanted);
    if (matches.length > 1) problem('invalid-field', this.nameOf(field), 'appears more than once with different letter case');
    const value = matches.length === 1 ? this.fields[matches[0]] : undefined;
    return value === null ? undefined : value;
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

  /** An id sent as a string or a JSON integer, as a string ("0" is a real application id). */
  requiredId(field: string): string {
    const id = this.optionalId(field);
    if (id === null) problem('missing-field', this.nameOf(field), 'is missing or blank');
    return id;
  }

  optionalId(field: string): string | null {
    const value = this.value(field);
    if (value === undefined) return null;
    const id = this.idText(field, value);
    if (id.length > MAXIMUM_ID_LENGTH) problem('invalid-field', this.nameOf(field), `is longer than ${MAXIMUM_ID_LENGTH} characters`);
    return id === '' ? null : id;
  }

  private idText(field: string, value: unknown): string {
    if (typeof value === 'string') return value.trim();
    if (isJsonNumber(value) && integerText.test(value.value)) return value.value;
    // A JS number comes from a caller that used JSON.parse: beyond 2^53 it may already be wrong.
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    return problem('invalid-field', this.nameOf(field), 'must be a string or a whole number');
  }

  /** An exact decimal sent as a string ("2.88475") or a JSON number (2.88475, kept as written). */
  requiredDecimal(field: string): Decimal {
    const amount = this.optionalDecimal(field);
    if (amount === null) problem('missing-field', this.nameOf(field), 'is missing or blank');
    return amount;
  }

  optionalDecimal(field: string): Decimal | null {
    const value = this.value(field);
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) return null;
    const amount = decimalOf(value);
    if (amount === null) problem('invalid-field', this.nameOf(field), 'is not a decimal number');
    return amount;
  }

  requiredTimestamp(field: string): CanonicalTimestamp {
    return this.timestampOf(field, this.requiredText(field));
  }

  /** An optional date; the Go zero time `0001-01-01T00:00:00Z` means "none", as Wildfire documents. */
  optionalTimestamp(field: string): CanonicalTimestamp | null {
    const text = this.optionalText(field);
    if (text === null) return null;
    const timestamp = this.timestampOf(field, text);
    return timestamp === ZERO_TIME ? null : timestamp;
  }

  private timestampOf(field: string, text: string): CanonicalTimestamp {
    try {
      return canonicalTimestamp(text);
    } catch (error) {
      if (!(error instanceof InvalidTimestampError)) throw error;
      return problem('invalid-field', this.nameOf(field), 'is not an ISO-8601 timestamp');
    }
  }
}

function decimalOf(value: unknown): Decimal | null {
  if (typeof value === 'string') return parseDecimal(value);
  if (isJsonNumber(value)) return decimalOfNumberText(value.value);
  // Already a binary float (the caller used JSON.parse): its shortest text is the best we can do.
  if (typeof value === 'number' && Number.isFinite(value)) return decimalOfNumberText(String(value));
  return null;
}

/** JSON number text may use an exponent (`1.5e-3`), which decimal.js reads exactly. */
function decimalOfNumberText(text: string): Decimal | null {
  return jsonNumberText.test(text) ? new Decimal(text) : null;
}
