import { waitForProjectorToCatchUp } from '../e2e/test-stack';
import { waitUntilReady } from '../local-stack/processes';
import { FaultStack } from './fault-stack';

/** How long the suite waits for recovery before it writes "never" (the budget is 30 s). */
export const recoveryWaitMsMax = 120_000;

const secondsSince = (startedAtMs: number): number => (Date.now() - startedAtMs) / 1000;

/**
 * Seconds from the fault's end until every service's /health/ready answers 200; null when one
 * did not within the wait (or its process exited: nobody restarts it for it).
 */
export async function secondsUntilAllReady(stack: FaultStack, faultEndedAtMs: number, notes: string[]): Promise<number | null> {
  const remainingMs = Math.max(1_000, faultEndedAtMs + recoveryWaitMsMax - Date.now());
  const outcomes = await Promise.allSettled(stack.services().map(async (service) => {
    await waitUntilReady(service, '/health/ready', remainingMs);
    return `${service.name} ${secondsSince(faultEndedAtMs).toFixed(1)} s`;
  }));
  const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  for (const failure of failures) notes.push(`not ready: ${(failure.reason as Error).message}`);
  const readyAfter = outcomes.filter((outcome): outcome is PromiseFulfilledResult<string> => outcome.status === 'fulfilled').map((outcome) => outcome.value);
  notes.push(`ready after the fault: ${readyAfter.join(', ')}`);
  return failures.length === 0 ? secondsSince(faultEndedAtMs) : null;
}

/**
 * Seconds from the fault's end until the projector has applied everything the topics held when
 * the fault ended: its backlog from the fault is gone, while the load goes on. Null if never
 * within the wait. Errors while the broker or database are still coming back are retried.
 */
export async function secondsUntilLagZero(stack: FaultStack, faultEndedAtMs: number, problems: string[]): Promise<number | null> {
  const deadlineMs = faultEndedAtMs + recoveryWaitMsMax;
  let lastError = '';
  while (Date.now() < deadlineMs) {
    try {
      await waitForProjectorToCatchUp(stack.databaseUrl, stack.projectorGroup, Math.max(1_000, deadlineMs - Date.now()));
      return secondsSince(faultEndedAtMs);
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  problems.push(`projector lag not 0 within ${recoveryWaitMsMax / 1000} s: ${lastError.slice(0, 300)}`);
  return null;
}

const readinessSampleIntervalMs = 500;
const readinessSampleTimeoutMs = 1_000;
/** A sampler forgotten by an error path still ends by itself. */
const readinessWatchMsMax = 60 * 60_000;

/**
 * Samples every service's /health/ready twice a second from the load's start until stopped, so
 * the notes can say whether readiness ever reported the fault (issue 17, finding 6: it did not).
 * Returns the names of the services seen not ready (non-200 or no answer) at least once.
 */
export function watchReadiness(stack: FaultStack): { stop(): Promise<string[]> } {
  const seenNotReady = new Set<string>();
  const startedAtMs = Date.now();
  let stopped = false;
  const sampling = (async () => {
    while (!stopped && Date.now() - startedAtMs < readinessWatchMsMax) {
      await Promise.all(stack.services().map(async (service) => {
        const ready = await fetch(`${service.baseUrl}/health/ready`, { signal: AbortSignal.timeout(readinessSampleTimeoutMs) }).then(
          async (response) => {
            await response.arrayBuffer();
            return response.ok;
          },
          () => false,
        );
        if (!ready) seenNotReady.add(service.name);
      }));
      await new Promise((resolve) => setTimeout(resolve, readinessSampleIntervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await sampling;
      return [...seenNotReady].sort();
    },
  };
}
