// Remediation stream events, emitted in the caller's unit of work (appended in its transaction, so a run's events
// are in commit order): status changes carry the governance context (core/remediation-stream-payload.ts), log
// batches carry their sequenced lines.
import { runEventPayload } from '../core/remediation-stream-payload.ts';
import { listAcceleratorPosture } from './remediation-accelerators.ts';
import type { StoredLogLine } from './remediation-logs.ts';
import type { RunRow } from './remediation-runs.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export const REMEDIATION_TOPIC = 'remediation' as const;
/** A quarantine that made no run because its instance is terminated (workers/remediation-materialise.ts). */
export const RUN_SKIPPED_EVENT = 'run.skipped';

export async function emitRunStatus(uow: UnitOfWork, run: RunRow, event: string, extra: Record<string, unknown> = {}): Promise<void> {
  const { tx: sql } = uow;
  const [playbook] = await sql<{ id: number; playbook_key: string; executor_type: string; metadata: Record<string, unknown> }[]>`
    SELECT id, playbook_key, executor_type, metadata FROM runtime_vm_remediation_playbooks WHERE id = ${run.playbook_id}`;
  if (playbook === undefined) return;
  const accelerators = await listAcceleratorPosture(sql, run.owner_id, run.vm_instance_id);
  uow.emit({ topic: REMEDIATION_TOPIC, owner_id: run.owner_id, subject_id: String(run.id), event, payload: runEventPayload(run, playbook, accelerators, extra) });
}

export function emitRunLogs(uow: UnitOfWork, run: Pick<RunRow, 'id' | 'owner_id'>, attempt: number, lines: StoredLogLine[]): void {
  const first = lines[0];
  if (first === undefined) return;
  const payload = { run_id: run.id, attempt, lines };
  uow.emit({ topic: REMEDIATION_TOPIC, owner_id: run.owner_id, subject_id: String(run.id), event: 'log', payload }, `run-${run.id}-log-${attempt}-${first.sequence}`);
}
