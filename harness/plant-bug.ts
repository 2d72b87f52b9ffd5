// --plant-bug <checker>: the recorded history with a known violation of that checker appended, so a run shows the
// checker really fails on the bug it is meant to catch (and is not passing everything).
import type { CheckInput } from './checkers/verdict.ts';
import { createHistoryBuilder } from './history-builder.ts';
import type { CheckerName } from './scenario.ts';

const PLANTED = 'planted';

export function plantBug(name: CheckerName, input: CheckInput, scenario: string): CheckInput {
  const history = createHistoryBuilder(scenario, { from: input.history });
  const transcript = [...input.transcript];
  const tenant = PLANTED;
  switch (name) {
    case 'tenant-isolation':
      history.op(tenant, 'cross-read', { path: '/api/trust/remediation/runs/1', target_owner: 'someone-else' }, 'ok', { status: 200, owner_id: 'someone-else' });
      break;
    case 'one-winner-per-version':
      for (const sub of ['a', 'b']) history.op(tenant, 'approve', { target_id: -1, version: 1, approver: sub }, 'ok', { version: 2 });
      break;
    case 'one-active-run':
      for (const id of [-1, -2]) history.op(tenant, 'enqueue', { instance_id: -1, group: PLANTED }, 'ok', { run_id: id });
      break;
    case 'stream-order': {
      history.op(tenant, 'server-log', { run_id: -1, manifest_tags: [] }, 'ok', { ids: [1, 2, 3] });
      for (const id of [1, 2, 2, 3]) transcript.push({ scenario, tenant, run_id: -1, time: 0, line: { id, event: 'log', run_id: -1 } });
      break;
    }
    case 'outage-recovery':
      history.fault('worker-sigkill', 'start', 'installed', { run_ids: [-1] });
      history.fault('worker-sigkill', 'end', 'installed', {});
      history.op(tenant, 'run-read', { run_id: -1, instance_id: -1 }, 'ok', { run_id: -1, status: 'failed' });
      break;
  }
  return { history: history.entries, transcript };
}
