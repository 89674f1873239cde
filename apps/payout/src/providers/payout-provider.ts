/** The payout methods a partner can choose per user. */
export const PayoutMethods = ['account_credit', 'paypal', 'gift_card'] as const;
export type PayoutMethod = (typeof PayoutMethods)[number];

export function isPayoutMethod(value: string): value is PayoutMethod {
  return (PayoutMethods as readonly string[]).includes(value);
}

/** What a provider needs to move one payout. `payoutId` is the provider's idempotency key. */
export interface ProviderPayoutRequest {
  payoutId: string;
  aui: string;
  unit: string;
  /** Rounded to the unit's minor unit, with exactly that many fractional digits ("12.30"). */
  amountText: string;
  destination: string | null;
  /** The provider's id of this payout from an earlier attempt, if one was recorded. */
  knownReference: string | null;
}

/**
 * What a provider said. `retry` is an operating error (network, timeout, 5xx): the payout keeps
 * its reservation and is tried again with the same idempotency key.
 */
export type ProviderAnswer =
  | { outcome: 'succeeded'; reference: string | null }
  /** Still on its way; `status` is the provider's word for where (PayPal item ONHOLD, ...), for operators. */
  | { outcome: 'pending'; reference: string; status?: string }
  /** The money did not reach the user (refused, or PayPal item FAILED): before success a failure, after success a return. */
  | { outcome: 'failed'; reason: string }
  /** The money came back (PayPal RETURNED, REFUNDED, REVERSED, BLOCKED; a cancelled gift card). */
  | { outcome: 'returned'; reason: string }
  | { outcome: 'retry'; reason: string };

export interface PayoutProvider {
  readonly method: string;
  /**
   * Submits the payout, or asks for its status when it was submitted before. Safe to call any
   * number of times for one payout id: the provider executes it at most once.
   */
  submitOrPoll(request: ProviderPayoutRequest): Promise<ProviderAnswer>;
}

/** Limits on a provider's HTTP calls, passed explicitly by the module. */
export interface ProviderHttpOptions {
  baseUrl: string;
  timeoutMs: number;
}

/** fetch with a timeout; a network error or timeout becomes `null` (retry later), never an exception. */
export async function callProvider(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; body: unknown } | { status: null; reason: string }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      body = { unparsed: text.slice(0, 200) };
    }
    return { status: response.status, body };
  } catch (error) {
    return { status: null, reason: (error as Error).name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : `network: ${(error as Error).message}` };
  }
}

/** 429 and 5xx are the provider's trouble: try again. Other 4xx are a definitive refusal. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
