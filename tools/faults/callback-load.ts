import { signedWildfireCallback } from '../e2e/test-stack';

/**
 * Signed Wildfire callbacks at a steady rate, each outcome kept: `acknowledged` (2xx: ingest
 * promises Kafka has it), `refused` (4xx: it never will), `unknown` (5xx, timeout or no answer:
 * it may have reached Kafka anyway). Wildfire never retries, so neither does this.
 */
export type CallbackOutcome = 'acknowledged' | 'refused' | 'unknown';

export interface SentCallback {
  aui: string;
  commissionId: string;
  amount: string;
  outcome: CallbackOutcome;
}

/**
 * Every tenth user is a payee (the payout service pays only AUIs under `payeePrefix`): payouts run
 * under every fault, yet at a tenth of the users, so they do not swamp the small machines this runs on.
 */
export const payeePrefix = (auiPrefix: string): string => `${auiPrefix}-payee-`;
const userAui = (auiPrefix: string, user: number): string => (user % 10 === 0 ? `${payeePrefix(auiPrefix)}u${user}` : `${auiPrefix}-u${user}`);

export interface CallbackLoadOptions {
  auiPrefix: string;
  count: number;
  ratePerSecond: number;
  /** Callbacks are spread over this many users, so a balance sums several commissions. */
  userCount: number;
  /** Ingest instances, taken in turn. */
  urls: string[];
}

const inFlightMax = 32;
/** Longer than ingest's own wait for Kafka's acknowledgement (10 s), so its 503 arrives first. */
const requestTimeoutMs = 15_000;
/** However slow the stack, the load ends by itself: at most twice as long as planned, plus this. */
const overrunMsMax = 120_000;

export class CallbackLoad {
  readonly sent: SentCallback[] = [];
  readonly finished: Promise<void>;
  private attempted = 0;
  private readonly startedAtMs = Date.now();

  private constructor(private readonly options: CallbackLoadOptions) {
    this.finished = Promise.all(Array.from({ length: inFlightMax }, () => this.worker())).then(() => undefined);
  }

  static start(options: CallbackLoadOptions): CallbackLoad {
    if (options.count < 1 || options.ratePerSecond <= 0 || options.userCount < 1 || options.urls.length === 0) throw new RangeError('an empty or unpaced load');
    return new CallbackLoad(options);
  }

  get done(): boolean {
    return this.attempted >= this.options.count || Date.now() > this.deadlineMs();
  }

  /** Resolves once `count` callbacks went out (or the load ended). */
  async reached(count: number): Promise<void> {
    while (this.attempted < count && !this.done) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  countOf(outcome: CallbackOutcome): number {
    return this.sent.filter((callback) => callback.outcome === outcome).length;
  }

  private deadlineMs(): number {
    return this.startedAtMs + ((2 * this.options.count) / this.options.ratePerSecond) * 1000 + overrunMsMax;
  }

  private async worker(): Promise<void> {
    while (this.attempted < this.options.count && Date.now() < this.deadlineMs()) {
      const index = this.attempted;
      this.attempted += 1;
      const dueAtMs = this.startedAtMs + (index * 1000) / this.options.ratePerSecond;
      if (dueAtMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueAtMs - Date.now()));
      this.sent.push(await this.send(index));
    }
  }

  private async send(index: number): Promise<SentCallback> {
    const commission = {
      id: index + 1,
      aui: userAui(this.options.auiPrefix, index % this.options.userCount),
      // Paid at once, so users cross the payout threshold during the load and payouts run under the fault too.
      status: 'paid',
      amount: `${1 + (index % 13)}.${String(index % 99_991).padStart(5, '0')}`,
      eventDate: '2026-11-01T00:00:00Z',
      modifiedDate: '2026-11-01T00:00:00Z',
    };
    const callback = signedWildfireCallback(commission);
    const url = this.options.urls[index % this.options.urls.length];
    let outcome: CallbackOutcome = 'unknown';
    try {
      const response = await fetch(url, { method: 'POST', headers: callback.headers, body: callback.body, signal: AbortSignal.timeout(requestTimeoutMs) });
      await response.arrayBuffer();
      if (response.status >= 200 && response.status < 300) outcome = 'acknowledged';
      else if (response.status >= 400 && response.status < 500) outcome = 'refused';
    } catch {
      // No answer: ingest may or may not have handed it to Kafka.
    }
    return { aui: commission.aui, commissionId: String(commission.id), amount: commission.amount, outcome };
  }
}
