import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat on Linux. */
const clockTicksPerSecond = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/**
 * Runs `work` and returns its result with the CPU milliseconds `pid` used per unit of what it
 * served. Unlike a rate, this hardly moves when other processes share the cores, so it is the
 * figure to compare before and after a change.
 */
export async function withCpuPerUnit<T>(pid: number, work: () => Promise<T>, units: (result: T) => number): Promise<{ result: T; cpuMsPerUnit: number }> {
  const before = cpuSecondsOf(pid);
  const result = await work();
  return { result, cpuMsPerUnit: ((cpuSecondsOf(pid) - before) * 1000) / Math.max(units(result), 1) };
}

/** The machine's CPU time so far, in ticks: all of it, and the part the hypervisor gave to other guests (steal). */
export function machineCpuTicks(): { total: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  return { total: fields.slice(0, 8).reduce((sum, value) => sum + value, 0), steal: fields[7] ?? 0 };
}

/**
 * CPU seconds PostgreSQL's backends for `applicationName` used while it ran: each backend's pid is
 * sampled as it appears (the pool opens and closes connections), and its last reading counts.
 * With the process's own CPU this says where an event's cost goes, whatever else shares the cores.
 */
export class BackendCpu {
  private readonly firstSeen = new Map<number, number>();
  private readonly lastSeen = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly listPids: () => Promise<number[]>, private readonly sampleMs = 200) {}

  start(): void {
    const sample = async () => {
      for (const pid of await this.listPids().catch(() => [])) {
        const seconds = readCpuSecondsOrNull(pid);
        if (seconds === null) continue;
        if (!this.firstSeen.has(pid)) this.firstSeen.set(pid, seconds);
        this.lastSeen.set(pid, seconds);
      }
      this.timer = setTimeout(() => void sample(), this.sampleMs);
    };
    void sample();
  }

  /** Stops sampling (after one last reading) and returns the CPU seconds used since each backend was first seen. */
  async stop(): Promise<number> {
    if (this.timer) clearTimeout(this.timer);
    for (const pid of await this.listPids().catch(() => [])) {
      const seconds = readCpuSecondsOrNull(pid);
      if (seconds !== null && this.firstSeen.has(pid)) this.lastSeen.set(pid, seconds);
    }
    let total = 0;
    for (const [pid, first] of this.firstSeen) total += (this.lastSeen.get(pid) ?? first) - first;
    return total;
  }
}

function readCpuSecondsOrNull(pid: number): number | null {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return null;
  }
}
