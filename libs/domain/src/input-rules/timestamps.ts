import { canonicalTimestamp, CanonicalTimestamp, toEpochMicros } from '../time/source-timestamp';

export const timestampYearMin = 2000;
export const timestampYearMax = 2100;

/**
 * The one rule for dates from partners: RFC 3339 (`2023-03-07T02:57:58.5251Z`,
 * `2023-03-04T23:04:00+02:00`): a `T`, an offset that is `Z` or a real one (-23:59 to +23:59),
 * up to nine fractional digits, and a year from 2000 to 2100 once the offset is applied. A
 * year 9999 would make every later real update look older, freezing the commission.
 */
const rfc3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))$/;

const earliestMicros = toEpochMicros(`${timestampYearMin}-01-01T00:00:00Z`);
const endMicros = toEpochMicros(`${timestampYearMax + 1}-01-01T00:00:00Z`);

export type TimestampReading = { ok: true; timestamp: CanonicalTimestamp; epochMicros: bigint } | { ok: false; problem: string };

/** Reads the date without the year check: Wildfire's "no date" sentinel (year 1) is recognised by its caller. */
export function readRfc3339(text: string): { ok: true; epochMicros: bigint } | { ok: false; problem: string } {
  const match = rfc3339.exec(text);
  if (!match) return { ok: false, problem: 'is not an RFC 3339 timestamp with an offset (2023-03-07T02:57:58.5251Z)' };
  const [, offsetHours, offsetMinutes] = match;
  if (offsetHours !== undefined && (+offsetHours > 23 || +offsetMinutes > 59)) return { ok: false, problem: 'has an offset outside -23:59..+23:59' };
  try {
    return { ok: true, epochMicros: toEpochMicros(text) };
  } catch {
    return { ok: false, problem: 'is not a date on the calendar' };
  }
}

export function readTimestamp(text: string): TimestampReading {
  const read = readRfc3339(text);
  if (!read.ok) return read;
  if (read.epochMicros < earliestMicros || read.epochMicros >= endMicros) {
    return { ok: false, problem: `is outside the years ${timestampYearMin} to ${timestampYearMax}` };
  }
  return { ok: true, timestamp: canonicalTimestamp(text), epochMicros: read.epochMicros };
}
