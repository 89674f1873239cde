import { displayText } from '../input-rules';
import { isJsonNumber } from './exact-json';
import { isJsonObject } from './field-reader';

/**
 * A merchant as the directory keeps it, from one record of Wildfire's merchant API
 * (`GET /v2/merchant`): `{ID, Name, Disabled, Images: [{Kind: LOGO | FEATURED | GENERAL, Ordinal, URL, ...}], ...}`.
 * A commission carries only its MerchantID; users recognise a store by this name and logo.
 */
export interface WildfireMerchant {
  /** The id as commissions carry it in MerchantID: digits. */
  merchantId: string;
  /** Cleaned for display like any partner text; null when Wildfire sent none. */
  name: string | null;
  /** The logo (the LOGO image with the lowest Ordinal), an absolute http(s) URL; null when there is none usable. */
  logoUrl: string | null;
  disabled: boolean;
}

/** Wildfire's merchant ids are whole numbers; anything else cannot be asked for with `?id=`. */
export const merchantIdPattern = /^[1-9][0-9]{0,18}$/;

/** Names are shown in a list row: longer than this is not a store name. */
export const merchantNameLengthMax = 200;

/** Browsers and CDNs handle far longer URLs, but a logo URL beyond this is not one. */
export const logoUrlLengthMax = 2_048;

/** The merchant, or null when the record has no id the directory can key it by (the caller counts it). */
export function readWildfireMerchant(record: unknown): WildfireMerchant | null {
  if (!isJsonObject(record)) return null;
  const merchantId = merchantIdOf(member(record, 'id'));
  if (merchantId === null) return null;
  const name = member(record, 'name');
  return {
    merchantId,
    name: typeof name === 'string' ? displayText(name, merchantNameLengthMax).text : null,
    logoUrl: logoUrlOf(member(record, 'images')),
    disabled: member(record, 'disabled') === true,
  };
}

/** The ids of a commission page's merchants worth asking Wildfire for: whole numbers, once each. */
export function merchantIdsToLookUp(merchantIds: readonly (string | null)[]): string[] {
  return [...new Set(merchantIds.filter((id): id is string => id !== null && merchantIdPattern.test(id)))];
}

function merchantIdOf(value: unknown): string | null {
  const text = isJsonNumber(value) ? value.value : typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : null;
  return text !== null && merchantIdPattern.test(text) ? text : null;
}

function logoUrlOf(images: unknown): string | null {
  if (!Array.isArray(images)) return null;
  const logos = images
    .filter(isJsonObject)
    .filter((image) => String(member(image, 'kind') ?? '').toUpperCase() === 'LOGO')
    .map((image) => ({ ordinal: ordinalOf(member(image, 'ordinal')), url: httpUrlOf(member(image, 'url')) }))
    .filter((logo): logo is { ordinal: number; url: string } => logo.url !== null)
    .sort((left, right) => left.ordinal - right.ordinal);
  return logos[0]?.url ?? null;
}

function ordinalOf(value: unknown): number {
  const ordinal = isJsonNumber(value) ? Number(value.value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(ordinal) ? ordinal : Number.MAX_SAFE_INTEGER;
}

/** An absolute http(s) URL without credentials, as the URL parser writes it; anything else is not shown. */
function httpUrlOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > logoUrlLengthMax) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return null;
  return url.href.length <= logoUrlLengthMax ? url.href : null;
}

/** Member names vary in letter case between Wildfire's API versions. */
function member(record: Record<string, unknown>, lowerCaseName: string): unknown {
  const name = Object.keys(record).find((key) => key.toLowerCase() === lowerCaseName);
  return name === undefined ? undefined : record[name];
}
