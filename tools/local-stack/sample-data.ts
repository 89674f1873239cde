/** What the simulator's POST /_admin/callbacks/send answers (CallbackSendResult). */
export interface CallbackSendSummary {
  sent: number;
  dropped: number;
  failed: number;
  statusCounts: Record<string, number>;
}

export type SampleDataVerdict = { ok: true; summary: string } | { ok: false; problem: string };

/**
 * Whether ingest took the sample callbacks. A refused callback is never retried (as with
 * Wildfire), so `npm start` must not call itself ready when they were refused: the usual cause is
 * a signing key that differs from the keys ingest verifies with.
 */
export function sampleDataVerdict(answer: unknown): SampleDataVerdict {
  if (!isSummary(answer)) return { ok: false, problem: `the simulator did not send the sample callbacks: ${JSON.stringify(answer)}` };
  const statuses = Object.entries(answer.statusCounts).map(([status, count]) => `${status}: ${count}`).join(', ');
  if (answer.failed === 0) return { ok: true, summary: `${answer.sent} sample callbacks accepted (${statuses || 'none sent'})` };
  const keyHint = (answer.statusCounts['401'] ?? 0) > 0
    ? ' 401 means the signature did not verify: the simulator signs with WILDFIRE_CALLBACK_KEY (default: the first of WILDFIRE_CALLBACK_KEYS), ingest verifies with WILDFIRE_CALLBACK_KEYS; make them agree.'
    : '';
  return { ok: false, problem: `ingest refused ${answer.failed} of ${answer.sent} sample callbacks (${statuses}).${keyHint}` };
}

function isSummary(value: unknown): value is CallbackSendSummary {
  const candidate = value as Partial<CallbackSendSummary> | null;
  return typeof candidate?.sent === 'number' && typeof candidate.failed === 'number' && typeof candidate.statusCounts === 'object' && candidate.statusCounts !== null;
}
