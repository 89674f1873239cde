import DecimalJs from 'decimal.js';

/**
 * Exact decimal arithmetic for money and reward units. Wildfire amounts carry five or more
 * fractional digits, so the ledger keeps full precision and rounds only where money leaves.
 * 60 significant digits is far beyond any amount, so no operation here ever rounds.
 */
export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);

/** A plain decimal string without exponent or trailing zeros: "2.88475", "-0.6162", "0". */
export function toDecimalString(value: Decimal): string {
  return value.toFixed();
}

const decimalStringPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Accepts "1.2500", "-2.616", "+3", 20; rejects "", "1e3", "NaN", "1,5". */
export function parseDecimal(input: string | number): Decimal | null {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input.trim();
  if (!decimalStringPattern.test(text)) return null;
  return new Decimal(text);
}
