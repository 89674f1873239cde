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
  /** Which payouts the partner reviews before they leave (PAYOUT_REVIEW); absent: none. */
  review?: ReviewPolicy;
}

/**
 * The partner's review of payouts: `none` pays what the run decides; `all` holds every payout
 * until an operator approves it; `above` holds a payout above the amount (in the payout's own
 * unit): one amount for every unit, or per unit (a unit not listed is then always reviewed).
 */
export type ReviewPolicy =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'above'; amount: Decimal | null; byUnit: ReadonlyMap<string, Decimal> };

/** Whether a payout of `amount` in `unit` waits for an operator's approval before it leaves. */
export function requiresReview(review: ReviewPolicy | undefined, unit: string, amount: Decimal): boolean {
  if (review === undefined || review.kind === 'none') return false;
  if (review.kind === 'all') return true;
  const limit = review.byUnit.get(unit) ?? review.amount;
  // A unit the partner named no amount for is reviewed: when in doubt, hold.
  return limit === null || amount.gt(limit);
}

/**
 * The review policy in the text PAYOUT_REVIEW takes, canonical (`none`, `all`, `above:50`,
 * `above:EUR:45,USD:50`): what the payout service publishes for readers, who parse it back with
 * parseReviewPolicy. `above` with both one amount and amounts per unit has no text: refused.
 */
export function reviewPolicyText(review: ReviewPolicy): string {
  if (review.kind !== 'above') return review.kind;
  if (review.byUnit.size === 0 && review.amount !== null) return `above:${review.amount.toFixed()}`;
  if (review.byUnit.size > 0 && review.amount === null) {
    return `above:${[...review.byUnit].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([unit, amount]) => `${unit}:${amount.toFixed()}`).join(',')}`;
  }
  throw new Error('a review policy needs either one amount or amounts per unit');
}

/** Parses PAYOUT_REVIEW: `none`, `all`, `above:50` or `above:USD:50,EUR:45`; the problem as a string otherwise. */
export function parseReviewPolicy(text: string): ReviewPolicy | string {
  if (text === 'none' || text === '') return { kind: 'none' };
  if (text === 'all') return { kind: 'all' };
  if (!text.startsWith('above:')) return `"${text}" is not none, all, above:<amount> or above:<unit>:<amount>[,...]`;
  const rest = text.slice('above:'.length);
  if (/^\d+(\.\d+)?$/.test(rest)) return { kind: 'above', amount: new Decimal(rest), byUnit: new Map() };
  const byUnit = parseThresholds(rest);
  if (typeof byUnit === 'string') return `above: ${byUnit}`;
  if (byUnit.size === 0) return 'above: needs an amount';
  return { kind: 'above', amount: null, byUnit };
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
