import { currencyProblem } from '../input-rules';
import { Decimal } from '../money/decimal';
import { FieldReader, isJsonObject, problem } from './field-reader';
import { unreachable } from './wildfire-status';
import { WildfireApiVersion } from './wildfire-types';

/** The commission amounts of one record, whatever the version's shape. */
export interface WildfireMoney {
  /** The currency of the commission amounts, upper-case (`USD`). */
  unit: string;
  /** The partner's portion (v4 `application` split, or the v2/v3 single amount); null when only a device split came. */
  applicationAmount: Decimal | null;
  /** The end user's portion, present only when Wildfire pays the user for the partner. */
  deviceAmount: Decimal | null;
}

export interface WildfireSale {
  saleAmount: Decimal | null;
  saleCurrency: string | null;
}

const SplitParts = ['application', 'device'] as const;
type SplitPart = (typeof SplitParts)[number];

interface Split {
  part: SplitPart;
  amount: Decimal;
  currency: string;
  field: string;
}

const currencyCode = /^[A-Z]{3}$/;

/**
 * The version a record's shape says it is: v4 has an `Amounts` array, v3 an `Amount` object, v2 an
 * `Amount` string (or number). Null when there is no amount at all.
 */
export function shapeOf(payload: FieldReader): WildfireApiVersion | null {
  if (payload.has('Amounts')) return 'v4';
  const amount = payload.value('Amount');
  if (amount === undefined) return null;
  return isJsonObject(amount) ? 'v3' : 'v2';
}

export function readMoney(payload: FieldReader, shape: WildfireApiVersion, defaultCurrency: string): WildfireMoney {
  switch (shape) {
    case 'v2':
      // v2 bodies carry no currency; commission amounts are always in the application's default currency.
      return { unit: defaultCurrency, applicationAmount: payload.requiredDecimal('Amount'), deviceAmount: null };
    case 'v3':
      return readAmountObject(payload.object('Amount'), defaultCurrency);
    case 'v4':
      return readSplits(payload, defaultCurrency);
    default:
      return unreachable(shape);
  }
}

function readAmountObject(amount: FieldReader, defaultCurrency: string): WildfireMoney {
  return { unit: currencyOf(amount, defaultCurrency), applicationAmount: amount.requiredDecimal('Amount'), deviceAmount: null };
}

function readSplits(payload: FieldReader, defaultCurrency: string): WildfireMoney {
  const field = payload.nameOf('Amounts');
  const values = payload.value('Amounts');
  if (!Array.isArray(values)) return problem('invalid-field', field, 'must be an array');
  if (values.length === 0) return problem('missing-field', field, 'holds no amount');
  const splits = values.map((value, index) => readSplit(value, `${field}[${index}]`, defaultCurrency));
  return {
    unit: commonCurrency(splits),
    applicationAmount: onlySplit(splits, 'application', field)?.amount ?? null,
    deviceAmount: onlySplit(splits, 'device', field)?.amount ?? null,
  };
}

function readSplit(value: unknown, field: string, defaultCurrency: string): Split {
  if (!isJsonObject(value)) return problem('invalid-field', field, 'must be a JSON object');
  const split = new FieldReader(value, field);
  return { part: splitPartOf(split), amount: split.requiredDecimal('Amount'), currency: currencyOf(split, defaultCurrency), field };
}

function splitPartOf(split: FieldReader): SplitPart {
  const part = split.requiredText('SplitPart').toLowerCase();
  const known = SplitParts.find((candidate) => candidate === part);
  // An unknown split could change who earns what, so it is refused rather than ignored.
  return known ?? problem('invalid-field', split.nameOf('SplitPart'), 'must be "application" or "device"');
}

function onlySplit(splits: Split[], part: SplitPart, field: string): Split | undefined {
  const matching = splits.filter((split) => split.part === part);
  if (matching.length > 1) problem('invalid-field', field, `holds more than one ${part} split`);
  return matching[0];
}

/** Wildfire states both splits are in the application's currency; if they were not, no sum would make sense. */
function commonCurrency(splits: Split[]): string {
  const [first, ...others] = splits;
  const different = others.find((split) => split.currency !== first.currency);
  if (different) problem('invalid-field', `${different.field}.Currency`, 'differs from the currency of the other split');
  return first.currency;
}

/** A commission currency, upper-case; when absent, the application's default currency (commissions are always in it). */
function currencyOf(amount: FieldReader, defaultCurrency: string): string {
  return optionalCurrency(amount) ?? defaultCurrency;
}

/** Absent or null means the default; present means a code: `""` is refused, not read as the default (it is not USD). */
function optionalCurrency(amount: FieldReader): string | null {
  const value = amount.value('Currency');
  if (value === undefined) return null;
  if (typeof value !== 'string') return problem('invalid-field', amount.nameOf('Currency'), 'must be a string');
  const currencyIssue = currencyProblem(value);
  if (currencyIssue !== null) problem('invalid-field', amount.nameOf('Currency'), currencyIssue);
  return value.toUpperCase();
}

/**
 * The sale amount, in the purchase's own currency (Wildfire does not convert it). A v2 sale is a
 * bare string with no currency: the currency is then null, not the application's default, because
 * the sale may well have been in another currency and guessing would show a wrong figure.
 */
export function readSaleAmount(payload: FieldReader): WildfireSale {
  const value = payload.value('SaleAmount');
  if (!isJsonObject(value)) return { saleAmount: payload.optionalDecimal('SaleAmount'), saleCurrency: null };
  const sale = payload.object('SaleAmount');
  const saleAmount = sale.optionalDecimal('Amount');
  return { saleAmount, saleCurrency: saleAmount === null ? null : optionalCurrency(sale) };
}

/** Normalises the configured default currency; a bad one is a configuration error, so it throws. */
export function configuredCurrency(defaultCurrency: string): string {
  const currency = defaultCurrency.trim().toUpperCase();
  if (!currencyCode.test(currency)) throw new RangeError('defaultCurrency must be a three-letter currency code');
  return currency;
}
