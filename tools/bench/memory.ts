import { readFileSync } from 'node:fs';
import { memorySampleMs } from './limits';

/** Peak resident set size of a process so far (VmHWM, in MiB), or null once it is gone. */
export function peakRssMb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Samples the peak RSS of every watched process at an interval and once more when it is
 * forgotten (just before it stops), so the figure is the process's whole-life peak.
 */
export class MemoryWatcher {
  private readonly watched = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sampleAll(), memorySampleMs);
    this.timer.unref();
  }

  watch(label: string, pid: number): void {
    this.watched.set(label, pid);
  }

  /** Takes a last sample of `label` and stops watching it. */
  forget(label: string): void {
    this.sample(label);
    this.watched.delete(label);
  }

  /** Peak RSS in MiB per watched label, over the run. */
  peaksMb(): Map<string, number> {
    this.sampleAll();
    return new Map(this.peaks);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sampleAll(): void {
    for (const label of this.watched.keys()) this.sample(label);
  }

  private sample(label: string): void {
    const pid = this.watched.get(label);
    const mb = pid === undefined ? null : peakRssMb(pid);
    if (mb !== null) this.peaks.set(label, Math.max(mb, this.peaks.get(label) ?? 0));
  }
}
