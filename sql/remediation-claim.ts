// The dispatcher's claim of a run's next attempt in one statement: the run moves to running under a new fencing
// token (queued and retry-scheduled may both move there), the attempt opens with its lease, the status ledger gets
// its row, and the playbook and the instance's accelerator posture come back for the executor and the stream event.
import type { AcceleratorPosture } from '../core/remediation-stream-payload.ts';
import type { ExecutorType } from '../core/remediation-plan.ts';
import type { Queryable } from './db.ts';
import { acceleratorPostureJson } from './remediation-accelerators.ts';
import { idempotencyKey, type AttemptLease } from './remediation-attempts.ts';
import type { RunRow } from './remediation-runs.ts';

export interface ClaimedPlaybook {
  id: number;
  version: number;
  playbook_key: string;
  executor_type: ExecutorType;
  plan: unknown;
  timeout_seconds: number;
  metadata: Record<string, unknown>;
}

export interface StartedAttempt {
  run: RunRow;
  lease: AttemptLease;
  playbook: ClaimedPlaybook;
  accelerators: AcceleratorPosture[];
}

/** The run was claimable but its attempt row exists already: the statement's writes must be rolled back. */
export class AttemptExistsError extends Error {
  override readonly name = 'AttemptExistsError';
}

/** The ClaimedPlaybook of playbook row `p`. */
const playbookJson = (sql: Queryable) =>
  sql`json_build_object('id', p.id, 'version', p.version, 'playbook_key', p.playbook_key, 'executor_type', p.executor_type, 'plan', p.plan, 'timeout_seconds', p.timeout_seconds, 'metadata', p.metadata)`;

/** What an attempt runs: the run's identity and its playbook. Known before the claim commits (readAttemptPlan). */
export interface AttemptPlan {
  runId: number;
  ownerId: string;
  vmInstanceId: number;
  attempt: number;
  playbook: Pick<ClaimedPlaybook, 'playbook_key' | 'executor_type' | 'plan' | 'timeout_seconds'>;
}

export const planOfClaim = (run: Pick<RunRow, 'id' | 'owner_id' | 'vm_instance_id'>, attempt: number, playbook: AttemptPlan['playbook']): AttemptPlan => ({
  runId: run.id,
  ownerId: run.owner_id,
  vmInstanceId: run.vm_instance_id,
  attempt,
  playbook: { playbook_key: playbook.playbook_key, executor_type: playbook.executor_type, plan: playbook.plan, timeout_seconds: playbook.timeout_seconds },
});

/** Whether two plans run the same thing (key order fixed by planOfClaim and by jsonb). */
export const samePlan = (a: AttemptPlan, b: AttemptPlan) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What attempt `attempt` of run `runId` would run if it were claimed now, or undefined when it is not claimable:
 * read without a lock beside the claim, so that the executor can set up while the claim commits. Only the claim
 * decides; the dispatcher runs this plan only if the committed claim answers the same one.
 */
export async function readAttemptPlan(sql: Queryable, input: { runId: number; ownerId: string; attempt: number }): Promise<AttemptPlan | undefined> {
  const [row] = await sql<{ vm_instance_id: number; playbook: ClaimedPlaybook }[]>`
    SELECT r.vm_instance_id, ${playbookJson(sql)} AS playbook
    FROM runtime_vm_remediation_runs r JOIN runtime_vm_remediation_playbooks p ON p.id = r.playbook_id
    WHERE r.id = ${input.runId} AND r.owner_id = ${input.ownerId} AND r.status IN ('queued', 'retry-scheduled') AND r.attempt + 1 = ${input.attempt}`;
  if (row === undefined) return undefined;
  return planOfClaim({ id: input.runId, owner_id: input.ownerId, vm_instance_id: row.vm_instance_id }, input.attempt, row.playbook);
}

type Row = RunRow & { from_status: string; playbook: ClaimedPlaybook; lease_fence: number | null; accelerators: AcceleratorPosture[] };

/**
 * Claim attempt `attempt` of run `runId` when the run is `ownerId`'s, queued or retry-scheduled, on the attempt
 * before, and its playbook exists; undefined otherwise (nothing written: the caller finds out why). The UPDATE
 * locks the run row, and a concurrent claim re-checks these conditions against the row it waited for.
 */
export async function startAttempt(
  sql: Queryable,
  input: { runId: number; ownerId: string; attempt: number; jobId: string; leaseMs: number; actor: string },
): Promise<StartedAttempt | undefined> {
  const { runId, attempt } = input;
  const [row] = await sql<Row[]>`
    WITH claimed AS (
      UPDATE runtime_vm_remediation_runs r SET
        status = 'running', attempt = ${attempt}, started_at = coalesce(r.started_at, now()), fence = r.fence + 1,
        version = r.version + 1, updated_at = now()
      FROM runtime_vm_remediation_runs old, runtime_vm_remediation_playbooks p
      WHERE r.id = ${runId} AND old.id = r.id AND p.id = r.playbook_id AND r.owner_id = ${input.ownerId}
        AND r.status IN ('queued', 'retry-scheduled') AND r.attempt + 1 = ${attempt}
      RETURNING r.*, old.status AS from_status, ${playbookJson(sql)} AS playbook
    ), opened AS (
      INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key, job_id, fence, heartbeat_at, lease_expires_at)
      SELECT id, ${attempt}, 'running', ${idempotencyKey(runId, attempt)}, ${input.jobId}, fence, now(), now() + make_interval(secs => ${input.leaseMs / 1000})
      FROM claimed
      ON CONFLICT (run_id, attempt) DO NOTHING
      RETURNING fence
    ), ledger AS (
      INSERT INTO runtime_vm_remediation_run_transitions (run_id, from_status, to_status, attempt, actor, event)
      SELECT id, from_status, status, attempt, ${input.actor}, 'run.running' FROM claimed
    )
    SELECT c.*, (SELECT fence FROM opened) AS lease_fence, ${acceleratorPostureJson(sql, sql`c.vm_instance_id`, sql`c.owner_id`)} AS accelerators
    FROM claimed c`;
  if (row === undefined) return undefined;
  const { from_status: _from, playbook, lease_fence: fence, accelerators, ...run } = row;
  if (fence === null) throw new AttemptExistsError(`attempt ${attempt} of run ${runId} exists already`);
  return { run, lease: { runId, attempt, fence }, playbook, accelerators };
}
