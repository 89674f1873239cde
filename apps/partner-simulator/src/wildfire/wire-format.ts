/**
 * How the simulator writes numbers and times on the wire. Money is held as integers of a fixed
 * scale (commissions in 1e-5 units, sales in cents) and turned into decimal strings only here,
 * so no binary floating point ever touches an amount.
 */

/** Commission amounts: integers of 1e-5, as Wildfire sends up to five fractional digits. */
export const commissionScale = 5;
/** Sale amounts: integers of cents. */
export const saleScale = 2;

/** `units` of 10^-scale as a decimal string: trailing zeros trimmed, but at least `fractionDigitsMin` digits. */
export function formatScaled(units: number, scale: number, fractionDigitsMin = 0): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`amount units must be a safe integer, got ${units}`);
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  if (fraction.length < fractionDigitsMin) fraction = fraction.padEnd(Math.min(fractionDigitsMin, scale), '0');
  return fraction === '' ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

/** A moment at microsecond precision and the number of fractional digits Wildfire shows for it. */
export interface WireTimestamp {
  /** Microseconds since the Unix epoch; exact as a number far beyond year 2200. */
  micros: number;
  /** 0 for whole-second dates (EventDate), else 4 to 6. */
  fractionDigits: number;
}

export const microsPerSecond = 1_000_000;
export const microsPerHour = 3_600 * microsPerSecond;
export const microsPerDay = 24 * microsPerHour;

/** `2023-03-07T02:57:58.5251Z`: the fraction cut to the digits the timestamp was made with. */
export function formatTimestamp(timestamp: WireTimestamp): string {
  const fractionMicros = mod(timestamp.micros, microsPerSecond);
  const wholeSeconds = (timestamp.micros - fractionMicros) / microsPerSecond;
  const secondsText = new Date(wholeSeconds * 1000).toISOString().slice(0, 19);
  if (timestamp.fractionDigits === 0) return `${secondsText}Z`;
  return `${secondsText}.${String(fractionMicros).padStart(6, '0').slice(0, timestamp.fractionDigits)}Z`;
}

/** Any microsecond instant at full precision (six digits). */
export function formatMicros(micros: number): string {
  return formatTimestamp({ micros, fractionDigits: 6 });
}

const isoDateTime = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 time with an offset, to microseconds (digits beyond are cut); null when unreadable. */
export function parseMicros(text: string): number | null {
  const match = isoDateTime.exec(text.trim());
  if (match === null) return null;
  const [, seconds, fraction = '', zone] = match;
  const wholeMs = Date.parse(`${seconds}${zone === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(wholeMs)) return null;
  return wholeMs * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
