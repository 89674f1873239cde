import type { Logger } from 'pino';

/**
 * Runs `work` again `intervalMs` after each pass ends (sooner when the pass was full), never two
 * passes at once. A failing pass is logged and the loop goes on; stop() waits for the pass in flight.
 */
export class WorkLoop {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private wakeRequested = false;

  constructor(private readonly name: string, private readonly intervalMs: number, private readonly work: () => Promise<boolean>, private readonly logger: Logger) {}

  start(): void {
    this.schedule(0);
  }

  /** Asks for a pass as soon as the current one ends (after a run created work). */
  wake(): void {
    if (this.inFlight !== null) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pass(), delayMs);
  }

  private pass(): void {
    this.timer = null;
    this.inFlight = this.work().then(
      (more) => more,
      (error: unknown) => {
        this.logger.error({ loop: this.name, err: error }, 'work loop pass failed; trying again');
        return false;
      },
    ).then((more) => {
      this.inFlight = null;
      const again = more || this.wakeRequested;
      this.wakeRequested = false;
      this.schedule(again ? 0 : this.intervalMs);
    });
  }
}
