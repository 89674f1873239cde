import { UNATTRIBUTED_AUI } from '@earnings/contracts';
import { displayText, DisplayTextChange, identifierProblem, merchantSkusMax, visibleJson, visibleLiteral } from '../input-rules';
import { toDecimalString } from '../money/decimal';
import { isJsonNumber } from './exact-json';
import { FieldReader, isJsonObject, WildfireRecordProblem } from './field-reader';
import { readSaleAmount } from './wildfire-amounts';

/**
 * The fields of a Wildfire record that are the merchant's or the network's, not the money's: they
 * never refuse a record (DOMAIN.md: "They never decide whether a commission's money is booked").
 * Each is read leniently and cleaned for display (input-rules/display-text.ts); every cleaning is
 * reported, so the edges can count it per field.
 */
export const WildfireMetadataFields = ['ID', 'TrackingCode', 'MerchantID', 'DeviceID', 'ApplicationID', 'MerchantOrderID', 'MerchantSKU', 'SaleAmount'] as const;
export type WildfireMetadataField = (typeof WildfireMetadataFields)[number];

/** `unattributed`: a TrackingCode that cannot be an AUI; the commission is booked under UNATTRIBUTED_AUI with the code as sent. */
export type FieldCleaningChange = DisplayTextChange | 'unattributed';

export interface FieldCleaning {
  field: WildfireMetadataField;
  changes: readonly FieldCleaningChange[];
}

/** Collects the cleanings of one record while its fields are read. */
export class Cleanings {
  readonly list: FieldCleaning[] = [];

  note(field: WildfireMetadataField, changes: readonly FieldCleaningChange[]): void {
    if (changes.length > 0) this.list.push({ field, changes });
  }
}

/** Whose commission it is: the AUI, and the tracking code as sent when it could not be one. */
export interface Attribution {
  aui: string;
  trackingCodeAsSent: string | null;
}

/**
 * AUI = TrackingCode. Without one (absent, null or "") the commission is the unattributed owner's,
 * as before. A code that cannot be an AUI (whitespace around it, a control character, too long,
 * the ledger's reserved `~`, not text) is never trimmed into another user's id nor refused: the
 * money is booked under the unattributed owner and the code kept, visibly escaped, for support.
 */
export function readAttribution(payload: FieldReader, cleanings: Cleanings): Attribution {
  const values = payload.values('TrackingCode').filter((value) => value !== '');
  if (values.length === 0) return { aui: UNATTRIBUTED_AUI, trackingCodeAsSent: null };
  const code = values.length === 1 ? idTextOf(values[0]) : null;
  if (code !== null && identifierProblem(code, 'aui') === null) return { aui: code, trackingCodeAsSent: null };
  cleanings.note('TrackingCode', ['unattributed']);
  return { aui: UNATTRIBUTED_AUI, trackingCodeAsSent: asSent(values) };
}

/** An id-like metadata field (MerchantID, DeviceID, ...) as display text, or null. */
export function readMetadataText(reader: FieldReader, field: WildfireMetadataField, cleanings: Cleanings): string | null {
  const values = reader.values(field);
  if (values.length === 0) return null;
  const texts = values.map(displayTextOf);
  const distinct = new Set(texts.map((text) => text.text));
  // Two spellings of one field with different values: neither is more right than the other.
  if (distinct.size > 1) {
    cleanings.note(field, ['unreadable']);
    return null;
  }
  cleanings.note(field, texts[0].changes);
  return texts[0].text;
}

/**
 * MerchantSKU may hold a comma-separated list (or, from some merchants, an array): spaces around a
 * comma and empty entries are list formatting. Each SKU is cleaned; beyond merchantSkusMax the
 * list is cut.
 */
export function readMerchantSkus(payload: FieldReader, cleanings: Cleanings): string[] {
  const values = payload.values('MerchantSKU');
  if (values.length > 1) {
    cleanings.note('MerchantSKU', ['unreadable']);
    return [];
  }
  if (values.length === 0 || values[0] === '') return [];
  const entries = listEntries(values[0]);
  if (entries === null) {
    cleanings.note('MerchantSKU', ['unreadable']);
    return [];
  }
  const changes = new Set<FieldCleaningChange>();
  const skus: string[] = [];
  for (const entry of entries) {
    const sku = displayTextOf(entry);
    sku.changes.forEach((change) => changes.add(change));
    if (sku.text !== null) skus.push(sku.text);
  }
  if (skus.length > merchantSkusMax) changes.add('shortened');
  cleanings.note('MerchantSKU', [...changes]);
  return skus.slice(0, merchantSkusMax);
}

/** The sale amount is shown, never paid: one that cannot be read is left out, not a reason to refuse the commission. */
export function readSale(payload: FieldReader, cleanings: Cleanings): { saleAmount: string | null; saleCurrency: string | null } {
  try {
    const sale = readSaleAmount(payload);
    return { saleAmount: sale.saleAmount === null ? null : toDecimalString(sale.saleAmount), saleCurrency: sale.saleCurrency };
  } catch (error) {
    if (!(error instanceof WildfireRecordProblem)) throw error;
    cleanings.note('SaleAmount', ['unreadable']);
    return { saleAmount: null, saleCurrency: null };
  }
}

function listEntries(value: unknown): unknown[] | null {
  if (typeof value === 'string') return value.split(/[ ]*,[ ]*/).filter((entry) => entry !== '');
  if (Array.isArray(value)) return value;
  if (isJsonNumber(value) || typeof value === 'number') return [value];
  return null;
}

function displayTextOf(value: unknown): { text: string | null; changes: readonly FieldCleaningChange[] } {
  const text = plainTextOf(value);
  return text === null ? { text: null, changes: ['unreadable'] } : displayText(text);
}

/** A string, or a JSON number's text as written; anything else is not text. */
function plainTextOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isJsonNumber(value)) return value.value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const integerText = /^-?[0-9]+$/;

/** What an id may be: a string, or a whole JSON number (a JS number only below 2^53, where JSON.parse kept it exact). */
function idTextOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isJsonNumber(value) && integerText.test(value.value)) return value.value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/** The tracking code(s) as sent, as a visible literal; a non-string is written as its JSON. */
function asSent(values: unknown[]): string {
  if (values.length === 1 && typeof values[0] === 'string') return visibleLiteral(values[0]);
  return visibleJson(jsonTextOf(values.length === 1 ? values[0] : values));
}

function jsonTextOf(value: unknown): string {
  if (isJsonNumber(value)) return value.value;
  if (Array.isArray(value)) return `[${value.map(jsonTextOf).join(',')}]`;
  if (isJsonObject(value)) return `{${Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}:${jsonTextOf(member)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
