import { Backoff, backoffDelayMs } from '@earnings/domain';
import type { Logger } from 'pino';

export interface RecurringOptions {
  /** Names the work in logs. */
  name: string;
  /** Wait after a pass ends before the next one; null: a pass runs only when woken (a cron, an event). */
  intervalMs: number | null;
  /** The first pass at start (default true). */
  runAtStart?: boolean;
  /** A wake() runs a pass this much later (default 0), so a burst of wakes is one pass. */
  wakeDelayMs?: number;
  /** After a failed pass the next waits by this backoff, failures in a row counted (default: the interval). */
  afterFailure?: Backoff;
  logger: Logger;
}

/**
 * One pass of the work. `stopping` aborts when stop() is called: a long pass ends early between
 * steps. Returns true when there is more to do at once (a full batch): the next pass starts
 * without waiting. A pass that throws is logged; the work goes on.
 */
export type RecurringPass = (stopping: AbortSignal) => Promise<boolean | void>;

/**
 * The one way a service runs recurring work: never two passes at once, the next one `intervalMs`
 * after the previous ended (at once when it said there is more, or when woken meanwhile), failures
 * logged and retried by the one backoff, and stop() waiting for the pass in flight. Outbox relays,
 * payout and FirstPromoter work queues, partner API pulls, the projection pointer poll and the
 * scheduled payout run (woken by its cron) all run on it.
 */
export class Recurring {
  private timer: NodeJS.Timeout | null = null;
  private dueAtMs = Number.POSITIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  private wakeRequested = false;
  private failures = 0;
  private started = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: RecurringOptions, private readonly pass: RecurringPass) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.options.runAtStart ?? true) this.schedule(0);
    else if (this.options.intervalMs !== null) this.schedule(this.options.intervalMs);
  }

  /** Asks for a pass soon (after `wakeDelayMs`), or right after the pass in flight. */
  wake(): void {
    if (!this.started || this.stopping.signal.aborted) return;
    if (this.inFlight !== null) this.wakeRequested = true;
    else this.schedule(this.options.wakeDelayMs ?? 0);
  }

  /** Resolves once no pass is in flight (one may start right after). */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  /** No pass starts after this; the one in flight is told (its signal aborts) and awaited. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** A pass `delayMs` from now, unless one is due sooner already. */
  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    const dueAtMs = Date.now() + delayMs;
    if (this.timer !== null && this.dueAtMs <= dueAtMs) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.dueAtMs = dueAtMs;
    this.timer = setTimeout(() => this.runPass(), delayMs);
  }

  private runPass(): void {
    this.timer = null;
    this.dueAtMs = Number.POSITIVE_INFINITY;
    this.inFlight = this.pass(this.stopping.signal).then(
      (more) => {
        this.failures = 0;
        return more === true ? 0 : null;
      },
      (error: unknown) => {
        this.failures += 1;
        const delayMs = this.options.afterFailure ? backoffDelayMs(this.failures, this.options.afterFailure) : this.options.intervalMs;
        if (!this.stopping.signal.aborted) this.options.logger.error({ job: this.options.name, err: error, failures: this.failures, retryInMs: delayMs }, `${this.options.name} failed; trying again`);
        return delayMs;
      },
    ).then((delayMs) => {
      this.inFlight = null;
      const woken = this.wakeRequested;
      this.wakeRequested = false;
      const next = woken ? Math.min(delayMs ?? Number.POSITIVE_INFINITY, this.options.wakeDelayMs ?? 0) : delayMs ?? this.options.intervalMs;
      if (next !== null && Number.isFinite(next)) this.schedule(next);
    });
  }
}

/**
 * Polls `probe` every `intervalMs` until it answers true (resolves true) or `deadlineMs` (epoch)
 * passes (resolves false): waiting for a condition, not recurring work.
 */
export async function pollUntil(probe: () => Promise<boolean>, intervalMs: number, deadlineMs: number): Promise<boolean> {
  for (;;) {
    if (await probe()) return true;
    const remainingMs = deadlineMs - Date.now();
    if (remainingMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remainingMs)));
  }
}
