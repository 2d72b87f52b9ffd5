// runtime_vm_remediation_attempts: the retry ledger. One row per attempt, opened before the executor starts and
// closed with its outcome, so a crash mid-attempt leaves an open row the next delivery can account for.
import type { FailureClass, FailureReason } from '../core/failure-taxonomy.ts';
import type { Attempt } from '../core/schemas/remediation.ts';
import type { Queryable } from './db.ts';

export interface AttemptRow {
  run_id: number;
  attempt: number;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'abandoned';
  job_id: string | null;
  idempotency_key: string;
  finished_at: Date | null;
}

export const idempotencyKey = (runId: number, attempt: number) => `remediation-run-${runId}-attempt-${attempt}`;

export async function openAttempt(sql: Queryable, runId: number, attempt: number, jobId: string): Promise<void> {
  await sql`
    INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key, job_id)
    VALUES (${runId}, ${attempt}, 'running', ${idempotencyKey(runId, attempt)}, ${jobId})
    ON CONFLICT (run_id, attempt) DO NOTHING`;
}

export async function findAttempt(sql: Queryable, runId: number, attempt: number): Promise<AttemptRow | undefined> {
  const [row] = await sql<AttemptRow[]>`SELECT * FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} AND attempt = ${attempt}`;
  return row;
}

/** Close an open attempt; answers false when it was already closed (a duplicate delivery lost the race). */
export async function closeAttempt(
  sql: Queryable,
  runId: number,
  attempt: number,
  outcome: { status: AttemptRow['status']; exitCode: number | null; failureReason: FailureReason | null; failureClass: FailureClass | null; detail: string; retryDelayMs?: number },
): Promise<boolean> {
  const result = await sql`
    UPDATE runtime_vm_remediation_attempts SET
      status = ${outcome.status}, exit_code = ${outcome.exitCode}, failure_reason = ${outcome.failureReason},
      failure_class = ${outcome.failureClass}, detail = ${outcome.detail}, retry_delay_ms = ${outcome.retryDelayMs ?? null}, finished_at = now()
    WHERE run_id = ${runId} AND attempt = ${attempt} AND finished_at IS NULL`;
  return result.count === 1;
}

/** The retry ledger of run `runId` — empty unless `ownerId` owns the run (the API serves it straight to clients). */
export async function listAttempts(sql: Queryable, ownerId: string, runId: number): Promise<Attempt[]> {
  return sql<Attempt[]>`
    SELECT a.attempt, a.status, a.exit_code, a.failure_reason, a.failure_class, a.detail, a.idempotency_key, a.retry_delay_ms, a.started_at, a.finished_at
    FROM runtime_vm_remediation_attempts a JOIN runtime_vm_remediation_runs r ON r.id = a.run_id
    WHERE a.run_id = ${runId} AND r.owner_id = ${ownerId} ORDER BY a.attempt`;
}
