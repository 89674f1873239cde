/**
 * Money on the page stays a decimal string from the API to the screen: sums and ratios here are
 * exact (BigInt on scaled integers), and Intl formats the string itself, never a float of it.
 */
const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

interface Scaled {
  units: bigint;
  scale: number;
}

function scaledOf(amount: string): Scaled {
  const match = decimalPattern.exec(amount.trim());
  if (!match) throw new Error(`not a decimal string: ${amount}`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(`${whole}${fraction}`);
  return { units: sign === '-' ? -units : units, scale: fraction.length };
}

function rescaled(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function toDecimalString(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The exact sum of decimal strings. */
export function sumDecimals(amounts: readonly string[]): string {
  const values = amounts.map(scaledOf);
  const scale = Math.max(0, ...values.map((value) => value.scale));
  return toDecimalString(values.reduce((sum, value) => sum + rescaled(value, scale), 0n), scale);
}

export function compareDecimals(left: string, right: string): -1 | 0 | 1 {
  const a = scaledOf(left);
  const b = scaledOf(right);
  const scale = Math.max(a.scale, b.scale);
  const difference = rescaled(a, scale) - rescaled(b, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

export const isNegative = (amount: string): boolean => compareDecimals(amount, '0') < 0;
export const isZero = (amount: string): boolean => compareDecimals(amount, '0') === 0;

/** part / whole in whole percent, floored and clamped to 0..100 (a progress bar's width); 0 when whole is not positive. */
export function percentOf(part: string, whole: string): number {
  const a = scaledOf(part);
  const b = scaledOf(whole);
  if (b.units <= 0n || a.units <= 0n) return 0;
  const scale = Math.max(a.scale, b.scale);
  const percent = (rescaled(a, scale) * 100n) / rescaled(b, scale);
  return Number(percent > 100n ? 100n : percent);
}

/** ISO 4217 codes are three capital letters; anything else (credits, points) is a reward unit. */
export const isCurrency = (unit: string): boolean => /^[A-Z]{3}$/.test(unit);

/**
 * A decimal string for people: currencies to their usual two digits (the exact figure stays in
 * the element's title), reward units as whole numbers with the unit after. Intl receives the
 * string: it rounds the decimal exactly (half-even here, as the ledger does).
 */
export function formatAmount(amount: string, unit: string, locale?: string): string {
  if (isCurrency(unit)) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: unit, minimumFractionDigits: 2, maximumFractionDigits: 2, roundingMode: 'halfEven' } as Intl.NumberFormatOptions);
    return format.format(amount as unknown as number);
  }
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 2, roundingMode: 'halfEven' } as Intl.NumberFormatOptions);
  return `${format.format(amount as unknown as number)} ${unit}`;
}
