import { createHash } from 'node:crypto';
import { isRecord } from './fields';

/**
 * Keys never kept from a legacy body, at any depth. FirstPromoter puts the promoter's login
 * secrets (`auth_token`, `temp_password`) and profile (name, address, VAT id, PayPal email, ...)
 * in every legacy webhook; the ledger needs none of it.
 */
const dropExact = new Set(['profile', 'w8_form_url', 'w9_form_url']);
const dropPattern = /token|password|secret|e-?mail/i;

const isDropped = (key: string): boolean => dropExact.has(key.toLowerCase()) || dropPattern.test(key);

export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (!isRecord(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isDropped(key)) kept[key] = redactJson(child);
  }
  return kept;
}

/**
 * The raw-inbound copy of a legacy body with promoter secrets and profile data removed
 * (auth_token, temp_password, email, profile, and any key named like token/password/secret at
 * any depth). A body that is not JSON cannot be redacted field by field, so only its size and
 * digest are kept: storing it verbatim could store the secrets.
 */
export function redactLegacyFulfilmentBody(rawBody: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return unreadableBodySummary(rawBody);
  }
  return Buffer.from(JSON.stringify(redactJson(parsed)), 'utf8');
}

function unreadableBodySummary(rawBody: Buffer): Buffer {
  const sha256 = createHash('sha256').update(rawBody).digest('hex');
  return Buffer.from(JSON.stringify({ redacted: 'body was not JSON', bytes: rawBody.length, sha256 }), 'utf8');
}
