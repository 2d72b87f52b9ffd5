// runtime_vm_remediation_attempts: the retry ledger. One row per attempt, opened before the executor starts and
// closed with its outcome, so a crash mid-attempt leaves an open row the next delivery can account for. An open
// attempt holds a lease (heartbeat + expiry) under the run's fencing token: only the current holder may write.
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
  fence: number | null;
  lease_expires_at: Date | null;
  /** Database time of the read: compare leases with it, never with this process's clock. */
  now: Date;
}

/** Who holds an attempt: the run, the attempt number and the fencing token it was claimed under. */
export interface AttemptLease {
  runId: number;
  attempt: number;
  fence: number;
}

export const idempotencyKey = (runId: number, attempt: number) => `remediation-run-${runId}-attempt-${attempt}`;

/** Open attempt `attempt` under a new fencing token (the run's token bumped) with a lease of `leaseMs`. */
export async function openAttempt(sql: Queryable, runId: number, attempt: number, jobId: string, leaseMs: number): Promise<AttemptLease | undefined> {
  const [row] = await sql<{ fence: number }[]>`
    WITH token AS (UPDATE runtime_vm_remediation_runs SET fence = fence + 1 WHERE id = ${runId} RETURNING fence)
    INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key, job_id, fence, heartbeat_at, lease_expires_at)
    SELECT ${runId}, ${attempt}, 'running', ${idempotencyKey(runId, attempt)}, ${jobId}, token.fence, now(), now() + make_interval(secs => ${leaseMs / 1000})
    FROM token
    ON CONFLICT (run_id, attempt) DO NOTHING
    RETURNING fence`;
  return row === undefined ? undefined : { runId, attempt, fence: row.fence };
}

/**
 * Read an attempt to decide on writing it off, locked: a lease renewal cannot commit between this read and the
 * write-off (it waits, and then finds the attempt closed), so a holder whose renewal succeeded is never written off.
 * `now` is the transaction's start, never later than the read: a lease looks live a little longer, not shorter.
 */
export async function lockAttempt(sql: Queryable, runId: number, attempt: number): Promise<AttemptRow | undefined> {
  const [row] = await sql<AttemptRow[]>`
    SELECT *, now() AS now FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} AND attempt = ${attempt} FOR UPDATE`;
  return row;
}

/** Milliseconds until the open attempt's lease expires by the database's clock; 0 once it has (or it has none). */
export const leaseRemainingMs = (row: Pick<AttemptRow, 'lease_expires_at' | 'now'>): number =>
  row.lease_expires_at === null ? 0 : Math.max(0, row.lease_expires_at.getTime() - row.now.getTime());

/** Extend the lease; false when the attempt is closed or its token superseded (the holder must stop at once). */
export async function renewLease(sql: Queryable, lease: AttemptLease, leaseMs: number): Promise<boolean> {
  const result = await sql`
    UPDATE runtime_vm_remediation_attempts a SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    FROM runtime_vm_remediation_runs r
    WHERE a.run_id = ${lease.runId} AND a.attempt = ${lease.attempt} AND a.fence = ${lease.fence} AND a.finished_at IS NULL
      AND r.id = a.run_id AND r.fence = ${lease.fence}`;
  return result.count === 1;
}

/**
 * Lock the run for a write of the attempt holding `lease` (a log batch); false when the attempt is closed or its
 * token superseded. The run row is locked first, in the same order as the outcome's transaction.
 */
export async function lockForHolder(sql: Queryable, lease: AttemptLease): Promise<boolean> {
  const rows = await sql`
    SELECT 1 FROM runtime_vm_remediation_runs r JOIN runtime_vm_remediation_attempts a ON a.run_id = r.id
    WHERE r.id = ${lease.runId} AND r.fence = ${lease.fence} AND a.attempt = ${lease.attempt} AND a.fence = ${lease.fence} AND a.finished_at IS NULL
    FOR UPDATE OF r`;
  return rows.length === 1;
}

/** Note on the attempt that `lines` log lines could not be stored, and why (the outcome is recorded regardless). */
export async function noteLogLoss(sql: Queryable, runId: number, attempt: number, lines: number, error: string): Promise<void> {
  await sql`
    UPDATE runtime_vm_remediation_attempts SET log_lines_lost = log_lines_lost + ${lines}, log_write_error = ${error.slice(0, 1000)}
    WHERE run_id = ${runId} AND attempt = ${attempt}`;
}

/**
 * Close an open attempt; answers false when it was already closed (a duplicate delivery lost the race) or, with
 * `fence`, when that token no longer holds it (a zombie attempt cannot record an outcome).
 */
export async function closeAttempt(
  sql: Queryable,
  runId: number,
  attempt: number,
  outcome: { status: AttemptRow['status']; exitCode: number | null; failureReason: FailureReason | null; failureClass: FailureClass | null; detail: string; retryDelayMs?: number },
  fence?: number,
): Promise<boolean> {
  const result = await sql`
    UPDATE runtime_vm_remediation_attempts SET
      status = ${outcome.status}, exit_code = ${outcome.exitCode}, failure_reason = ${outcome.failureReason},
      failure_class = ${outcome.failureClass}, detail = ${outcome.detail}, retry_delay_ms = ${outcome.retryDelayMs ?? null}, finished_at = now()
    WHERE run_id = ${runId} AND attempt = ${attempt} AND finished_at IS NULL ${fence === undefined ? sql`` : sql`AND fence = ${fence}`}`;
  return result.count === 1;
}

/** The retry ledger of run `runId` — empty unless `ownerId` owns the run (the API serves it straight to clients). */
export async function listAttempts(sql: Queryable, ownerId: string, runId: number): Promise<Attempt[]> {
  return sql<Attempt[]>`
    SELECT a.attempt, a.status, a.exit_code, a.failure_reason, a.failure_class, a.detail, a.idempotency_key, a.retry_delay_ms, a.started_at, a.finished_at,
      a.log_lines_lost
    FROM runtime_vm_remediation_attempts a JOIN runtime_vm_remediation_runs r ON r.id = a.run_id
    WHERE a.run_id = ${runId} AND r.owner_id = ${ownerId} ORDER BY a.attempt`;
}
