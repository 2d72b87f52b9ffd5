// One active run per instance: of simultaneous enqueues for an instance one created the run and the others were
// told 409 active-run-exists naming it; and no run was created while a read showed another still active.
import { pairOps, type CompletedOp } from '../history.ts';
import { fail, pass, unknown, type Checker } from './verdict.ts';

const activeStatuses = new Set(['pending', 'queued', 'running', 'retry-scheduled']);
const instanceOf = (op: CompletedOp) => `${op.invoke.tenant}/${String(op.invoke.value.instance_id)}`;

export const oneActiveRun: Checker = {
  name: 'one-active-run',
  kinds: ['enqueue'],
  check({ history }) {
    const ops = pairOps(history);
    const enqueues = ops.filter((op) => op.invoke.f === 'enqueue' && (op.done?.type === 'ok' || op.done?.type === 'fail'));
    const created = enqueues.filter((op) => op.done?.type === 'ok');
    if (created.length === 0) return unknown('no enqueue created a run');
    const groups = new Map<string, CompletedOp[]>();
    for (const op of enqueues) groups.set(`${instanceOf(op)}/${String(op.invoke.value.group)}`, [...(groups.get(`${instanceOf(op)}/${String(op.invoke.value.group)}`) ?? []), op]);
    for (const [key, group] of groups) {
      const winners = group.filter((op) => op.done?.type === 'ok');
      if (winners.length > 1) return fail(`${winners.length} simultaneous enqueues of ${key} each created a run`);
      const winner = winners[0]?.done?.value.run_id;
      const bad = group.find((op) => op.done?.type === 'fail' && (op.done.value.code !== 'active-run-exists' || (winner !== undefined && op.done.value.active_run_id !== winner)));
      if (bad) return fail(`a loser of ${key} got ${String(bad.done?.value.code)} naming run ${String(bad.done?.value.active_run_id)}, not ${String(winner)}`);
    }
    const reads = ops.filter((op) => op.invoke.f === 'run-read' && op.done?.type === 'ok' && activeStatuses.has(String(op.done.value.status)));
    for (const later of created) {
      const overlap = reads.find(
        (read) => instanceOf(read) === instanceOf(later) && read.done?.value.run_id !== later.done?.value.run_id && read.invoke.time > (later.done?.time ?? Infinity),
      );
      const older = overlap && created.find((op) => op.done?.value.run_id === overlap.done?.value.run_id);
      if (older && (older.done?.time ?? Infinity) < (later.done?.time ?? 0)) {
        return fail(`run ${String(later.done?.value.run_id)} was created while run ${String(overlap?.done?.value.run_id)} of the same instance was still ${String(overlap?.done?.value.status)}`);
      }
    }
    return pass(`${created.length} runs created, ${enqueues.length - created.length} duplicates refused`);
  },
};
