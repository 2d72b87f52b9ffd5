// Remediation stream events, emitted in the caller's unit of work (appended in its transaction, so a run's events
// are in commit order): status changes carry the governance context (core/remediation-stream-payload.ts), log
// batches carry their sequenced lines.
import { runEventPayload, type AcceleratorPosture, type PayloadPlaybook } from '../core/remediation-stream-payload.ts';
import type { Queryable } from './db.ts';
import { acceleratorPostureJson } from './remediation-accelerators.ts';
import type { StoredLogLine } from './remediation-logs.ts';
import type { RunRow } from './remediation-runs.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export const REMEDIATION_TOPIC = 'remediation' as const;
/** A quarantine that made no run because its instance is terminated (workers/remediation-materialise.ts). */
export const RUN_SKIPPED_EVENT = 'run.skipped';

/** What a run's status event carries besides the run: its playbook and the instance's accelerator posture. */
export interface RunEventContext {
  playbook: PayloadPlaybook | undefined;
  accelerators: AcceleratorPosture[];
}

/** The playbook and the posture rows in one statement (no playbook, no row: the run's events are not emitted). */
export async function readRunEventContext(sql: Queryable, run: Pick<RunRow, 'playbook_id' | 'owner_id' | 'vm_instance_id'>): Promise<RunEventContext> {
  const [row] = await sql<(PayloadPlaybook & { accelerators: AcceleratorPosture[] })[]>`
    SELECT p.id, p.playbook_key, p.executor_type, p.metadata, ${acceleratorPostureJson(sql, run.vm_instance_id, run.owner_id)} AS accelerators
    FROM runtime_vm_remediation_playbooks p WHERE p.id = ${run.playbook_id}`;
  if (row === undefined) return { playbook: undefined, accelerators: [] };
  const { accelerators, ...playbook } = row;
  return { playbook, accelerators };
}

export function emitRunEvent(uow: UnitOfWork, run: RunRow, context: RunEventContext, event: string, extra: Record<string, unknown> = {}): void {
  if (context.playbook === undefined) return;
  uow.emit({ topic: REMEDIATION_TOPIC, owner_id: run.owner_id, subject_id: String(run.id), event, payload: runEventPayload(run, context.playbook, context.accelerators, extra) });
}

export async function emitRunStatus(uow: UnitOfWork, run: RunRow, event: string, extra: Record<string, unknown> = {}): Promise<void> {
  emitRunEvent(uow, run, await readRunEventContext(uow.tx, run), event, extra);
}

export function emitRunLogs(uow: UnitOfWork, run: Pick<RunRow, 'id' | 'owner_id'>, attempt: number, lines: StoredLogLine[]): void {
  const first = lines[0];
  if (first === undefined) return;
  const payload = { run_id: run.id, attempt, lines };
  uow.emit({ topic: REMEDIATION_TOPIC, owner_id: run.owner_id, subject_id: String(run.id), event: 'log', payload }, `run-${run.id}-log-${attempt}-${first.sequence}`);
}
