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
export async function secondsUntilAllReady(stack: FaultStack, faultEndedAtMs: number, problems: string[]): Promise<number | null> {
  const remainingMs = Math.max(1_000, faultEndedAtMs + recoveryWaitMsMax - Date.now());
  const outcomes = await Promise.allSettled(stack.services().map((service) => waitUntilReady(service, '/health/ready', remainingMs)));
  const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  for (const failure of failures) problems.push(`not ready: ${(failure.reason as Error).message}`);
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
