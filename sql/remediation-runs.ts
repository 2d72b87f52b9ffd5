// runtime_vm_remediation_runs: creation (one active run per instance is the database's job), owner-scoped reads,
// and the non-status column writes (a status changes only through sql/remediation-run-status.ts).
import { AppError } from '../core/errors.ts';
import type { FailureClass, FailureReason } from '../core/failure-taxonomy.ts';
import type { ExecutorType } from '../core/remediation-plan.ts';
import type { ApprovalState, RunStatus } from '../core/remediation-status.ts';
import type { RunListQuery } from '../core/schemas/remediation.ts';
import type { Queryable } from './db.ts';

export interface RunRow {
  id: number;
  owner_id: string;
  vm_instance_id: number;
  playbook_id: number;
  playbook_version: number;
  status: RunStatus;
  approval_state: ApprovalState;
  approval_expires_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  approval_note: string | null;
  requested_by: string;
  assigned_owner: string | null;
  trigger: string;
  sla_deadline: Date;
  sla_breached_at: Date | null;
  attempt: number;
  retry_limit: number;
  started_at: Date | null;
  completed_at: Date | null;
  cancellation_requested_at: Date | null;
  cancelled_by: string | null;
  cancellation_reason: string | null;
  failure_reason: FailureReason | null;
  failure_class: FailureClass | null;
  metadata: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
  log_sequence: number;
  source_history_id: number | null;
  /** Fencing token of the run's current attempt (bumped on each claim; see sql/remediation-attempts.ts). */
  fence: number;
}

/** A run with the playbook facts every reader wants next to it. */
export type RunView = RunRow & { playbook_key: string; executor_type: ExecutorType };

export interface NewRun {
  ownerId: string;
  vmInstanceId: number;
  playbook: { id: number; version: number; approval_required: boolean; sla_duration_seconds: number; retry_limit: number; owner_assignment: string | null };
  requestedBy: string;
  assignedOwner?: string;
  trigger: string;
  metadata: Record<string, unknown>;
  sourceHistoryId?: number;
  approvalTtlSeconds: number;
}

/** Insert a run, or nothing when the instance already has an active run (or this quarantine event already made one). */
export async function insertRun(sql: Queryable, input: NewRun): Promise<RunRow | undefined> {
  const gated = input.playbook.approval_required;
  const [row] = await sql<RunRow[]>`
    INSERT INTO runtime_vm_remediation_runs
      (owner_id, vm_instance_id, playbook_id, playbook_version, status, approval_state, approval_expires_at, requested_by,
       assigned_owner, trigger, sla_deadline, retry_limit, metadata, source_history_id)
    SELECT ${input.ownerId}, i.id, ${input.playbook.id}, ${input.playbook.version}, ${gated ? 'pending' : 'queued'},
       ${gated ? 'pending' : 'auto-approved'},
       ${gated ? sql`now() + make_interval(secs => ${input.approvalTtlSeconds})` : null},
       ${input.requestedBy}, ${input.assignedOwner ?? input.playbook.owner_assignment}, ${input.trigger},
       now() + make_interval(secs => ${input.playbook.sla_duration_seconds}), ${input.playbook.retry_limit},
       ${sql.json(input.metadata as never)}, ${input.sourceHistoryId ?? null}
    FROM runtime_vm_instances i WHERE i.id = ${input.vmInstanceId} AND i.owner_id = ${input.ownerId}
    ON CONFLICT DO NOTHING
    RETURNING *`;
  return row;
}

export async function findActiveRun(sql: Queryable, ownerId: string, vmInstanceId: number): Promise<RunRow | undefined> {
  const [row] = await sql<RunRow[]>`
    SELECT * FROM runtime_vm_remediation_runs
    WHERE vm_instance_id = ${vmInstanceId} AND owner_id = ${ownerId} AND status IN ('pending', 'queued', 'running', 'retry-scheduled')`;
  return row;
}

export async function listRuns(sql: Queryable, ownerId: string, query: RunListQuery): Promise<RunView[]> {
  return sql<RunView[]>`
    SELECT r.*, p.playbook_key, p.executor_type FROM runtime_vm_remediation_runs r
    JOIN runtime_vm_remediation_playbooks p ON p.id = r.playbook_id
    WHERE r.owner_id = ${ownerId}
      ${query.cursor === undefined ? sql`` : sql`AND r.id < ${query.cursor}`}
      ${query.status === undefined ? sql`` : sql`AND r.status = ${query.status}`}
      ${query.vm_instance_id === undefined ? sql`` : sql`AND r.vm_instance_id = ${query.vm_instance_id}`}
      ${query.playbook_id === undefined ? sql`` : sql`AND r.playbook_id = ${query.playbook_id}`}
    ORDER BY r.id DESC
    LIMIT ${query.limit + 1}`;
}

export async function findRun(sql: Queryable, ownerId: string, id: number): Promise<RunView | undefined> {
  const [row] = await sql<RunView[]>`
    SELECT r.*, p.playbook_key, p.executor_type FROM runtime_vm_remediation_runs r
    JOIN runtime_vm_remediation_playbooks p ON p.id = r.playbook_id
    WHERE r.id = ${id} AND r.owner_id = ${ownerId}`;
  return row;
}

export async function getRun(sql: Queryable, ownerId: string, id: number): Promise<RunView> {
  const row = await findRun(sql, ownerId, id);
  if (row === undefined) throw new AppError('run-not-found', `remediation run ${id} does not exist`);
  return row;
}

/** Lock a run for a status change (the worker's view: no owner filter, the job names the run). */
export async function lockRun(sql: Queryable, id: number): Promise<RunRow | undefined> {
  const [row] = await sql<RunRow[]>`SELECT * FROM runtime_vm_remediation_runs WHERE id = ${id} FOR UPDATE`;
  return row;
}

/** Columns a writer may set; `status` is not among them: it changes only through transitionRun. */
export type RunPatch = Partial<Pick<RunRow,
  'approval_state' | 'approved_by' | 'approved_at' | 'approval_note' | 'attempt' | 'started_at' | 'completed_at' |
  'cancellation_requested_at' | 'cancelled_by' | 'cancellation_reason' | 'failure_reason' | 'failure_class' | 'sla_breached_at'>>;

/** Apply `patch` and bump the version; `expectedVersion` guards client writes (a miss answers null). */
export async function patchRun(sql: Queryable, id: number, patch: RunPatch, expectedVersion?: number): Promise<RunRow | undefined> {
  const columns = Object.keys(patch) as (keyof RunPatch)[];
  const [row] = await sql<RunRow[]>`
    UPDATE runtime_vm_remediation_runs SET ${sql(patch as Record<string, unknown>, ...columns)}, version = version + 1, updated_at = now()
    WHERE id = ${id} ${expectedVersion === undefined ? sql`` : sql`AND version = ${expectedVersion}`}
    RETURNING *`;
  return row;
}

/**
 * Keep the email of the person who decided the run (`approved_by_email` for an approval or denial,
 * `cancelled_by_email` for a cancellation) in its metadata; the console's manual_override shows it. Call it in the
 * transaction that records the decision, before the transition (which bumps the version once).
 */
export async function recordActorEmail(sql: Queryable, id: number, field: 'approved_by_email' | 'cancelled_by_email', email: string | undefined): Promise<void> {
  if (email === undefined) return;
  await sql`UPDATE runtime_vm_remediation_runs SET metadata = metadata || ${sql.json({ [field]: email })} WHERE id = ${id}`;
}

export function versionConflict(run: Pick<RunRow, 'id' | 'version'>, expected: number): AppError {
  return new AppError('version-conflict', `remediation run ${run.id} is at version ${run.version}, not ${expected}`, {
    extras: { current_version: run.version },
  });
}
