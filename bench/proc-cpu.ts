// CPU time of processes from /proc, for benchmarks that report CPU per unit of work.
import { readFileSync } from 'node:fs';

/** utime + stime of `pid` in ms (clock ticks of 10 ms); 0 for a process that is gone. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0; // exited between listing and reading: its CPU is no longer counted by anyone
  }
}

/** Summed CPU ms of each named group of processes. */
export function cpuByGroup(groups: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + cpuMs(pid), 0)]));
}
