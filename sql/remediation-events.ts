// Remediation stream events, written as outbox jobs in the caller's transaction: status changes carry the
// governance context (core/remediation-stream-payload.ts), log batches carry their sequenced lines.
import { runEventPayload } from '../core/remediation-stream-payload.ts';
import { sseFanoutQueue } from '../queues/sse-fanout.ts';
import type { Queryable } from './db.ts';
import { writeOutbox } from './outbox.ts';
import { listAcceleratorPosture } from './remediation-accelerators.ts';
import type { StoredLogLine } from './remediation-logs.ts';
import type { RunRow } from './remediation-runs.ts';

export const REMEDIATION_TOPIC = 'remediation' as const;

export async function emitRunStatus(sql: Queryable, run: RunRow, event: string, extra: Record<string, unknown> = {}): Promise<void> {
  const [playbook] = await sql<{ id: number; playbook_key: string; executor_type: string; metadata: Record<string, unknown> }[]>`
    SELECT id, playbook_key, executor_type, metadata FROM runtime_vm_remediation_playbooks WHERE id = ${run.playbook_id}`;
  if (playbook === undefined) return;
  const accelerators = await listAcceleratorPosture(sql, run.owner_id, run.vm_instance_id);
  await writeOutbox(sql, sseFanoutQueue, {
    topic: REMEDIATION_TOPIC,
    owner_id: run.owner_id,
    subject_id: String(run.id),
    event,
    payload: runEventPayload(run, playbook, accelerators, extra),
  });
}

export async function emitRunLogs(sql: Queryable, run: Pick<RunRow, 'id' | 'owner_id'>, attempt: number, lines: StoredLogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await writeOutbox(sql, sseFanoutQueue, {
    topic: REMEDIATION_TOPIC,
    owner_id: run.owner_id,
    subject_id: String(run.id),
    event: 'log',
    payload: { run_id: run.id, attempt, lines },
  });
}
