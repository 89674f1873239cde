import { createHash } from 'node:crypto';
import { isRecord } from './fields';

/**
 * Keys never kept from a FirstPromoter payload, at any depth, whichever channel it came by
 * (webhooks v2, the legacy webhook, the API). FirstPromoter puts the promoter's login secrets
 * (`auth_token`, `temp_password`) and profile (name, address, VAT id, PayPal email, ...) in its
 * payloads; the ledger needs none of it, and raw-inbound keeps what it is given forever.
 */
const dropExact = new Set(['profile', 'w8_form_url', 'w9_form_url']);
const dropPattern = /token|password|passwd|secret|api[-_]?key|credential|authori[sz]ation|e-?mail/i;

const isDropped = (key: string): boolean => dropExact.has(key.toLowerCase()) || dropPattern.test(key);

export function redactFirstPromoterJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFirstPromoterJson);
  if (!isRecord(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isDropped(key)) kept[key] = redactFirstPromoterJson(child);
  }
  return kept;
}

/**
 * The raw-inbound copy of a FirstPromoter body with secrets and profile data removed
 * (auth_token, temp_password, email, profile, and any key named like a token, password, secret or
 * API key, at any depth). Signatures are checked over the exact bytes before this. A body that is
 * not JSON cannot be redacted field by field, so only its size and digest are kept: storing it
 * verbatim could store the secrets.
 */
export function redactFirstPromoterBody(rawBody: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return unreadableBodySummary(rawBody);
  }
  return Buffer.from(JSON.stringify(redactFirstPromoterJson(parsed)), 'utf8');
}

function unreadableBodySummary(rawBody: Buffer): Buffer {
  const sha256 = createHash('sha256').update(rawBody).digest('hex');
  return Buffer.from(JSON.stringify({ redacted: 'body was not JSON', bytes: rawBody.length, sha256 }), 'utf8');
}
