import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { CommissionApiSyncService } from './commission-api-sync.service';

const syncIntervalName = 'wildfire-commission-sync';

/** Runs the sync every interval (and once at start); a failed run is logged and the next one resumes from the watermark. */
export class CommissionApiSyncScheduler {
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly sync: CommissionApiSyncService, private readonly scheduler: SchedulerRegistry, private readonly logger: Logger) {}

  start(intervalMinutes: number, runNow: boolean): void {
    this.scheduler.addInterval(syncIntervalName, setInterval(() => this.runOnce(), intervalMinutes * 60_000));
    if (runNow) this.runOnce();
    this.logger.info({ intervalMinutes, runNow }, 'wildfire commission sync scheduled');
  }

  /** Stops scheduling and ends a run in progress between pages; what was published stays, the watermark does not move. */
  async stop(): Promise<void> {
    if (this.scheduler.doesExist('interval', syncIntervalName)) this.scheduler.deleteInterval(syncIntervalName);
    this.sync.requestStop();
    await this.inFlight;
  }

  private runOnce(): void {
    this.inFlight = this.sync.syncToNow(new Date()).catch(() => undefined);
  }
}
