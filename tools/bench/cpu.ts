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
