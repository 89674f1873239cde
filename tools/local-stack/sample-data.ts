import { Decimal } from '@earnings/domain';

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

/** A simulator user's figures in one unit, as its /_admin/expected-balances answers them. */
export interface SampleBalance {
  aui: string;
  unit: string;
  available: string;
}

/**
 * Who the sample payout goes to: the user with the most available money in a currency whose
 * payout threshold it reaches, so `npm start` shows a paid-out account; null when nobody reaches
 * one. `thresholds` is PAYOUT_THRESHOLDS (`USD:10,EUR:10`).
 */
export function samplePayee(balances: readonly SampleBalance[], thresholds: string): SampleBalance | null {
  const minimums = new Map(thresholds.split(',').map((entry) => entry.trim().split(':')).filter((parts) => parts.length === 2).map(([unit, amount]) => [unit, new Decimal(amount)]));
  const eligible = balances.filter((balance) => {
    const minimum = minimums.get(balance.unit);
    return minimum !== undefined && /^[A-Z]{3}$/.test(balance.unit) && new Decimal(balance.available).greaterThanOrEqualTo(minimum);
  });
  return eligible.sort((left, right) => new Decimal(right.available).comparedTo(new Decimal(left.available)) || left.aui.localeCompare(right.aui))[0] ?? null;
}

export interface SamplePayoutRequest {
  /** The payout service's base URL. */
  payoutUrl: string;
  adminToken: string;
  payee: SampleBalance;
  /** How long to keep asking for a run while the payout service's view of balances catches up. */
  timeoutMs: number;
}

/**
 * Pays the sample payee through the payout service's own admin API, as a partner's backend would:
 * an account credit (no provider to call), then a run. The payout service learns balances from
 * Kafka, so a run right after the sample callbacks may find nothing yet: it asks again until the
 * payout exists. Answers what happened, for `npm start` to print.
 */
export async function makeSamplePayout(request: SamplePayoutRequest): Promise<string> {
  try {
    return await payOnce(request);
  } catch (error) {
    // The sample payout is a nicety: npm start stays up and says why there is none.
    return `no sample payout: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function payOnce(request: SamplePayoutRequest): Promise<string> {
  // A run waits up to PAYOUT_RUN_INPUTS_WAIT_MS for its reward consumer before it answers.
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${request.payoutUrl}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${request.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(request.timeoutMs, 10_000)),
    });
  const aui = encodeURIComponent(request.payee.aui);
  const method = await admin('PUT', `/users/${aui}/payout-method`, { method: 'account_credit' });
  if (!method.ok) return `no sample payout: the payout service answered ${method.status} to setting a payout method`;
  const deadline = Date.now() + request.timeoutMs;
  let payout: { amount: string; unit: string; state: string } | undefined;
  while (Date.now() < deadline) {
    if (payout === undefined) {
      const run = await admin('POST', '/payout-runs');
      if (!run.ok) return `no sample payout: the payout service answered ${run.status} to a run`;
    }
    const listed = (await (await admin('GET', `/payouts?aui=${aui}`)).json()) as { payouts?: { amount: string; unit: string; state: string }[] };
    payout = listed.payouts?.[0];
    // The run requests it; the payout service's worker then submits it (an account credit succeeds at once).
    if (payout !== undefined && payout.state !== 'requested' && payout.state !== 'submitted') break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (payout === undefined) return `no sample payout within ${request.timeoutMs / 1000} s: the payout service had not seen ${request.payee.aui}'s balance yet`;
  return `a payout of ${payout.amount} ${payout.unit} to ${request.payee.aui} (account credit, ${payout.state})`;
}
