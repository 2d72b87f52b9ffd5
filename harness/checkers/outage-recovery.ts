// Outage recovery: every run a fault hit ended succeeded after the fault was healed; an executor outage shows a
// transient failure on the run (an attempt failed executor-unavailable, the registry tagged transient-failure)
// before the retry that succeeded; and the queues were empty at the end.
import { pairOps, type CompletedOp } from '../history.ts';
import { faultWindows, type FaultWindow } from './fault-phase.ts';
import { fail, pass, unknown, type Checker } from './verdict.ts';

const transientTag = (read: CompletedOp) => read.done?.value.remediation_state === 'transient-failure';
const failedAttempt = (read: CompletedOp) => ((read.done?.value.attempts as { failure_reason?: string }[] | undefined) ?? []).some((attempt) => attempt.failure_reason === 'executor-unavailable');

export const outageRecovery: Checker = {
  name: 'outage-recovery',
  kinds: ['run-read', 'watch'],
  check({ history }) {
    // A fault that starts before the runs exist (an outage from the start) names them when it ends.
    const runsOf = ({ start, end }: FaultWindow) => [...new Set([start.evidence.run_ids, end?.evidence.run_ids].flatMap((ids) => (Array.isArray(ids) ? ids : [])))];
    const windows = faultWindows(history).filter((window) => runsOf(window).length > 0);
    if (windows.length === 0) return unknown('no fault hit a run');
    const reads = pairOps(history).filter((op) => op.invoke.f === 'run-read' && op.done?.type === 'ok');
    let runs = 0;
    for (const window of windows) for (const runId of runsOf(window)) {
      const { start, end } = window;
      runs++;
      const after = reads.filter((read) => read.done?.value.run_id === runId && read.invoke.time >= (end?.time ?? Infinity));
      const final = after.at(-1)?.done?.value.status;
      if (final === undefined) return unknown(`run ${String(runId)} was not read after ${start.f} ended`);
      if (final !== 'succeeded') return fail(`run ${String(runId)} ended ${String(final)} after ${start.f}`);
      if (start.f === 'executor-outage') {
        const ofRun = reads.filter((read) => read.done?.value.run_id === runId);
        if (!ofRun.some(transientTag)) return fail(`run ${String(runId)}: the registry never tagged the outage transient-failure`);
        if (!ofRun.some(failedAttempt)) return fail(`run ${String(runId)}: no attempt failed executor-unavailable during the outage`);
      }
    }
    const drained = pairOps(history).filter((op) => op.invoke.f === 'queues' && op.done?.type === 'ok').at(-1);
    if (!drained) return unknown('the queues were not read at the end');
    const left = Number(drained.done?.value.jobs ?? NaN);
    if (left !== 0) return fail(`${left} jobs left in the queues at the end`);
    return pass(`${runs} runs hit by ${windows.length} fault(s) recovered to succeeded, queues empty`);
  },
};
