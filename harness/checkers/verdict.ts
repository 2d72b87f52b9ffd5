// What a checker answers: pass, fail (a violation, named) or unknown (the history cannot decide: nothing to judge,
// or a fault that was not proven to take effect, or no successful operation while it was in effect).
import type { CheckerName } from '../scenario.ts';
import type { HistoryEntry, OpKind, TranscriptEntry } from '../history.ts';

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  checker: CheckerName;
  verdict: Verdict;
  detail: string;
}

export interface CheckInput {
  history: HistoryEntry[];
  transcript: TranscriptEntry[];
}

export interface Checker {
  name: CheckerName;
  /** The operations whose success during a fault shows the checker judged the faulty phase at all. */
  kinds: OpKind[];
  check(input: CheckInput): Omit<CheckResult, 'checker'>;
}

export const pass = (detail: string) => ({ verdict: 'pass' as const, detail });
export const fail = (detail: string) => ({ verdict: 'fail' as const, detail });
export const unknown = (detail: string) => ({ verdict: 'unknown' as const, detail });

/** The combined verdict of several: any fail fails, else any unknown is unknown, else pass (none: unknown). */
export function combine(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.length === 0 || verdicts.includes('unknown')) return 'unknown';
  return 'pass';
}
