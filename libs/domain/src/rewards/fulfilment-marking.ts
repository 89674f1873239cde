import { backoffDelayMs } from '../retry/backoff';

/**
 * Telling FirstPromoter a reward was delivered (mark_fulfilled) or taken back (mark_unfulfilled),
 * per commission: each id keeps its own attempts, so one id FirstPromoter refuses waits on its
 * own backoff and never holds back another.
 */
export const markAttemptsMax = 20;
export const markRetryDelayMsMin = 1_000;
export const markRetryDelayMsMax = 3_600_000;

/** Doubling from one second, at most an hour. */
export function markRetryDelayMs(attempts: number): number {
  return backoffDelayMs(attempts, { firstMs: markRetryDelayMsMin, maxMs: markRetryDelayMsMax });
}

/** After this many refusals the id is left for the operator (admin API, metrics) instead of being tried again. */
export function markGivenUp(attempts: number): boolean {
  return attempts >= markAttemptsMax;
}

/**
 * Only commissions of webhooks v2 and the API have an id mark_fulfilled takes. A legacy
 * `fulfilment:<id>` was completed by FirstPromoter when ingest answered 200: never queued.
 */
export function isMarkableCommissionId(commissionId: string): boolean {
  return /^[0-9]{1,15}$/.test(commissionId);
}

/**
 * Which ids of a batch FirstPromoter refused, when its processing errors name them
 * ("Commission 123: ..."). Null when an error names none of them: then no id can be trusted as done.
 */
export function refusedIdsNamed(ids: readonly string[], processingErrors: readonly string[]): Set<string> | null {
  const refused = new Set<string>();
  for (const text of processingErrors) {
    const named = ids.filter((id) => new RegExp(`(^|[^0-9])${id}([^0-9]|$)`).test(text));
    if (named.length === 0) return null;
    for (const id of named) refused.add(id);
  }
  return refused;
}
