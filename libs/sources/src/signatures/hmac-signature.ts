import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of the exact bytes given. */
export function hmacSha256Hex(secret: string, bytes: Buffer | string): string {
  return createHmac('sha256', secret).update(bytes).digest('hex');
}

/**
 * True when `signatureHex` is the HMAC-SHA256 of `rawBody` under any of `secrets` (key rotation).
 * Computed over the raw bytes received, never a re-serialisation, and compared in constant time.
 * Every secret is tried, so the time taken does not reveal which one matched.
 */
export function matchesAnySecret(rawBody: Buffer, signatureHex: string, secrets: readonly string[]): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signatureHex)) return false;
  const received = Buffer.from(signatureHex.toLowerCase(), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    matched = timingSafeEqual(expected, received) || matched;
  }
  return matched;
}

/** Wildfire's `X-WF-Signature: sha256=<hex>` header. */
export function verifyWildfireCallbackSignature(rawBody: Buffer, header: string | undefined, keys: readonly string[]): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  return match !== null && matchesAnySecret(rawBody, match[1], keys);
}

/** FirstPromoter's `X-Webhook-Signature: <hex>` header. */
export function verifyFirstPromoterWebhookSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  return header !== undefined && matchesAnySecret(rawBody, header.trim(), secrets);
}

/** Constant-time comparison of two secrets of any length (the legacy webhook's shared token). */
export function secretsEqual(received: string | undefined, expected: string): boolean {
  if (received === undefined) return false;
  // Hash both so the comparison is constant-time regardless of length.
  const left = createHmac('sha256', 'token-compare').update(received).digest();
  const right = createHmac('sha256', 'token-compare').update(expected).digest();
  return timingSafeEqual(left, right);
}
