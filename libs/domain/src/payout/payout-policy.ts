import { Decimal } from '../money/decimal';

/**
 * What the partner decided about paying out: the minimum per unit, and how finely each unit is
 * paid. A unit without a threshold is never paid out (the partner has not opted in to it).
 */
export interface PayoutPolicy {
  /** Minimum payout per unit (`USD`, `credits`, ...), in that unit. */
  thresholds: ReadonlyMap<string, Decimal>;
  /** Fractional digits a payout of the unit may carry; overrides the ISO 4217 default. */
  fractionDigitsByUnit: ReadonlyMap<string, number>;
}

/** ISO 4217 minor units of the currencies partners pay in; reward units default to whole units. */
const currencyFractionDigits: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, NZD: 2, MXN: 2, BRL: 2, INR: 2,
  JPY: 0, KRW: 0, CLP: 0, ISK: 0, HUF: 2,
  BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3,
};

/** True for an ISO currency code: a payout of it is money, any other unit is a reward. */
export function isCurrencyUnit(unit: string): boolean {
  return /^[A-Z]{3}$/.test(unit);
}

/** How many fractional digits a payout of `unit` carries: configured, else ISO 4217, else 2 for an unknown currency and 0 for a reward unit. */
export function fractionDigitsOf(unit: string, policy: PayoutPolicy): number {
  const configured = policy.fractionDigitsByUnit.get(unit);
  if (configured !== undefined) return configured;
  const known = currencyFractionDigits[unit];
  if (known !== undefined) return known;
  return isCurrencyUnit(unit) ? 2 : 0;
}

/**
 * Parses "USD:10,EUR:10,credits:100" into thresholds. Returns the problem as a string when the
 * text is malformed, so config validation can name it.
 */
export function parseThresholds(text: string): Map<string, Decimal> | string {
  const thresholds = new Map<string, Decimal>();
  for (const entry of text.split(',').map((item) => item.trim()).filter((item) => item.length > 0)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]{0,39}):(\d+(\.\d+)?)$/.exec(entry);
    if (!match) return `"${entry}" is not unit:amount`;
    if (thresholds.has(match[1])) return `unit ${match[1]} appears twice`;
    const amount = new Decimal(match[2]);
    if (amount.lte(0)) return `the threshold of ${match[1]} must be positive`;
    thresholds.set(match[1], amount);
  }
  return thresholds;
}

/** Parses "credits:0,points:2" (unit:fractionDigits) into overrides. */
export function parseFractionDigits(text: string): Map<string, number> | string {
  const digits = new Map<string, number>();
  for (const entry of text.split(',').map((item) => item.trim()).filter((item) => item.length > 0)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]{0,39}):([0-8])$/.exec(entry);
    if (!match) return `"${entry}" is not unit:digits (0-8)`;
    digits.set(match[1], Number(match[2]));
  }
  return digits;
}
