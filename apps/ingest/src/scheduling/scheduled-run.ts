import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';

export interface ScheduledRunOptions {
  name: string;
  intervalMinutes: number;
  runAtStart: boolean;
  run: () => Promise<unknown>;
  /** Asks a run in progress to end early (between pages); optional. */
  requestStop?: () => void;
}

/**
 * A partner pull on a fixed interval (and once at start). A failed run is logged by the job
 * itself and the next one resumes from its stored state; on shutdown a run in progress is
 * asked to stop and awaited.
 */
export class ScheduledRun {
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly options: ScheduledRunOptions, private readonly scheduler: SchedulerRegistry, private readonly logger: Logger) {}

  start(): void {
    this.scheduler.addInterval(this.options.name, setInterval(() => this.runOnce(), this.options.intervalMinutes * 60_000));
    if (this.options.runAtStart) this.runOnce();
    this.logger.info({ job: this.options.name, intervalMinutes: this.options.intervalMinutes, runAtStart: this.options.runAtStart }, 'scheduled');
  }

  async stop(): Promise<void> {
    if (this.scheduler.doesExist('interval', this.options.name)) this.scheduler.deleteInterval(this.options.name);
    this.options.requestStop?.();
    await this.inFlight;
  }

  private runOnce(): void {
    // Errors are logged and counted inside the job; the schedule itself never stops.
    this.inFlight = this.options.run().catch(() => undefined);
  }
}
