import { FaultStack, payoutAdminToken } from './fault-stack';

const runIntervalMs = 5_000;
const runRequestTimeoutMs = 10_000;

/** Asks a payout instance (in turn) for a payout run; true when it answered 2xx. */
export async function requestPayoutRun(stack: FaultStack, turn: number): Promise<boolean> {
  const instance = stack.instances[turn % stack.instances.length];
  try {
    const response = await fetch(instance.url('payout', '/admin/payout-runs'), {
      method: 'POST',
      headers: { authorization: `Bearer ${payoutAdminToken}` },
      signal: AbortSignal.timeout(runRequestTimeoutMs),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * A payout run every 5 s until `until` resolves, so money leaves while the fault happens and a
 * payout paid twice would show. Runs refused during an outage are counted, not retried.
 */
export async function payoutRunsDuring(stack: FaultStack, until: Promise<void>): Promise<{ requested: number; failed: number }> {
  let finished = false;
  void until.finally(() => {
    finished = true;
  });
  const counts = { requested: 0, failed: 0 };
  for (let turn = 0; !finished; turn += 1) {
    await Promise.race([until, new Promise((resolve) => setTimeout(resolve, runIntervalMs))]);
    if (finished) break;
    counts.requested += 1;
    if (!(await requestPayoutRun(stack, turn))) counts.failed += 1;
  }
  return counts;
}
