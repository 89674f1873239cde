import { Recurring } from '@earnings/service-shell';
import type { Logger } from 'pino';

/** What a window pull has done so far; logged every few seconds and returned when it ends. */
export interface WindowProgress {
  start: string;
  end: string;
  pages: number;
  /** Observations published. */
  observations: number;
  invalidRecords: number;
  /** The latest ModifiedDate published: everything before it is in Kafka. Null before the first record. */
  modifiedDateReached: string | null;
}

/**
 * Says every `intervalMs` how far a pull got (pages, records, the modified date reached), also
 * while it waits for its turn or backs off, so a first sync of years of history is never silent.
 */
export class SyncProgressLog {
  private log: Recurring | null = null;
  private readonly startedAtMs = Date.now();

  constructor(private readonly progress: WindowProgress, private readonly logger: Logger, private readonly intervalMs: number) {}

  start(message: string, fields: Record<string, unknown>): void {
    this.logger.info({ ...this.progress, ...fields }, message);
    this.log = new Recurring({ name: 'wildfire commission sync progress', intervalMs: this.intervalMs, runAtStart: false, logger: this.logger }, async () => {
      this.logger.info(this.fields(), 'wildfire commission sync progress');
    });
    this.log.start();
  }

  stop(): void {
    void this.log?.stop();
    this.log = null;
  }

  private fields(): Record<string, unknown> {
    const elapsedSeconds = Math.round((Date.now() - this.startedAtMs) / 1000);
    return { ...this.progress, elapsedSeconds };
  }
}
