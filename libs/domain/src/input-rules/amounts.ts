import { Decimal } from '../money/decimal';

/** A quintillion: beyond any commission in any currency or reward unit. */
export const amountIntegerDigitsMax = 18;
/** Wildfire sends five or more fractional digits; twelve leaves room without inviting noise. */
export const amountFractionDigitsMax = 12;

/**
 * The one rule for amounts from partners: an optional sign, at most 18 digits before the point
 * and 12 after it, no exponent (`1E400` is refused, not read), as written: leading and trailing
 * zeros count. Within these bounds every operation of the ledger is exact (60 significant digits).
 */
const amountText = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/;

export type AmountReading = { ok: true; amount: Decimal } | { ok: false; problem: string };

export function readAmount(text: string): AmountReading {
  const match = amountText.exec(text);
  if (!match) return { ok: false, problem: 'is not a decimal number (digits, an optional sign and point, no exponent)' };
  const [, , integerDigits, fractionDigits = ''] = match;
  if (integerDigits.length > amountIntegerDigitsMax) return { ok: false, problem: `has more than ${amountIntegerDigitsMax} digits before the point` };
  if (fractionDigits.length > amountFractionDigitsMax) return { ok: false, problem: `has more than ${amountFractionDigitsMax} digits after the point` };
  return { ok: true, amount: new Decimal(text) };
}
