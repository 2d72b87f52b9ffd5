// The rule that keeps a faulty scenario from passing vacuously: every fault must be proven installed and ended,
// and some operation the checker judges must have succeeded while it was in effect; otherwise the answer is unknown.
import { pairOps, type FaultEntry, type HistoryEntry, type OpKind } from '../history.ts';

export interface FaultWindow {
  start: FaultEntry;
  end: FaultEntry | undefined;
}

export function faultWindows(history: HistoryEntry[]): FaultWindow[] {
  const windows: FaultWindow[] = [];
  for (const entry of history) {
    if (entry.type !== 'fault') continue;
    if (entry.phase === 'start') windows.push({ start: entry, end: undefined });
    else {
      const open = windows.find((window) => window.start.f === entry.f && window.end === undefined);
      if (open) open.end = entry;
    }
  }
  return windows;
}

/** Why the faulty phase cannot be judged for operations of `kinds`, or undefined when it can (or had no faults). */
export function faultPhaseGap(history: HistoryEntry[], kinds: OpKind[]): string | undefined {
  const windows = faultWindows(history);
  const ops = pairOps(history).filter((op) => kinds.includes(op.invoke.f) && op.done?.type === 'ok');
  for (const { start, end } of windows) {
    if (start.status !== 'installed') return `fault ${start.f} was ${start.status}, not proven to take effect`;
    if (end === undefined) return `fault ${start.f} never ended`;
    if (end.status !== 'installed') return `fault ${start.f} was not proven healed (${end.status})`;
    const during = ops.some((op) => op.invoke.time <= end.time && (op.done?.time ?? -1) >= start.time);
    if (!during) return `no successful ${kinds.join('/')} operation while ${start.f} was in effect`;
  }
  return undefined;
}
