// Records how an attempt ended, in one transaction: closes the ledger row (only for the token that holds it, when
// the holder records), stores the attempt's log bundle (and outputs), moves the run on as the failure taxonomy
// decides through the one status writer, and schedules a retry.
import { classifyFailure, decideRetry, type BackoffPolicy } from '../core/failure-taxonomy.ts';
import { isTerminal } from '../core/remediation-status.ts';
import type { ExecutionResult } from '../executors/remediation/types.ts';
import { insertArtifact } from '../sql/remediation-artifacts.ts';
import { closeAttempt, listAttempts, type AttemptRow } from '../sql/remediation-attempts.ts';
import { readAttemptLog } from '../sql/remediation-logs.ts';
import { scheduleDispatch } from '../sql/remediation-run-actions.ts';
import { transitionRun } from '../sql/remediation-run-status.ts';
import type { RunRow } from '../sql/remediation-runs.ts';
import type { UnitOfWork } from '../sql/unit-of-work.ts';

export const DISPATCHER = 'remediation-dispatcher';

/**
 * `run` must be locked by the caller and still on `attempt`. Answers the updated run, or undefined if already
 * recorded. `fence` is the holder's token (its own outcome); a write-off of a dead holder's attempt passes none.
 */
export async function recordOutcome(
  uow: UnitOfWork,
  run: RunRow,
  attempt: number,
  result: ExecutionResult,
  options: { backoff: BackoffPolicy; abandoned?: boolean; fence?: number; logLinesLost?: number },
): Promise<RunRow | undefined> {
  const { tx } = uow;
  const reason = result.failureReason;
  const klass = reason === null ? null : classifyFailure(reason);
  let decision = reason === null ? undefined : decideRetry({ reason, attempt, retryLimit: run.retry_limit, backoff: options.backoff });
  // Someone asked to stop this run: an attempt that failed anyway (or whose worker died) is not retried.
  if (decision?.retry && run.cancellation_requested_at !== null) decision = { retry: false, outcome: 'cancelled', why: 'cancelled' };
  const attemptStatus: AttemptRow['status'] = options.abandoned ? 'abandoned' : result.status;
  const closed = await closeAttempt(tx, run.id, attempt, {
    status: attemptStatus,
    exitCode: result.exitCode,
    failureReason: reason,
    failureClass: klass,
    detail: result.detail,
    ...(decision?.retry ? { retryDelayMs: decision.delayMs } : {}),
  }, options.fence);
  if (!closed) return undefined;

  const log = await readAttemptLog(tx, run.id, attempt);
  await insertArtifact(tx, { runId: run.id, ownerId: run.owner_id, attempt, type: 'log-bundle', name: `attempt-${attempt}.log`, contentType: 'text/plain', content: log, metadata: { attempt_status: attemptStatus, exit_code: result.exitCode, ...(options.logLinesLost ? { log_lines_lost: options.logLinesLost } : {}) } });
  if (result.outputs !== undefined) {
    await insertArtifact(tx, { runId: run.id, ownerId: run.owner_id, attempt, type: 'output', name: `attempt-${attempt}-output.json`, contentType: 'application/json', content: JSON.stringify(result.outputs), metadata: {} });
  }

  const now = new Date();
  const extra = {
    attempt,
    attempt_status: attemptStatus,
    exit_code: result.exitCode,
    detail: result.detail,
    ...(decision?.retry ? { retry_in_ms: decision.delayMs } : {}),
  };
  let updated: RunRow;
  if (decision === undefined) {
    updated = await transitionRun(uow, run, { to: 'succeeded', actor: DISPATCHER, extra, patch: { completed_at: now, failure_reason: null, failure_class: null } });
  } else if (decision.retry) {
    updated = await transitionRun(uow, run, { to: 'retry-scheduled', actor: DISPATCHER, extra, patch: { failure_reason: reason, failure_class: klass } });
    await scheduleDispatch(uow, run, decision.nextAttempt, decision.delayMs);
  } else {
    const cancelled = decision.outcome === 'cancelled';
    const patch = { completed_at: now, failure_reason: cancelled ? 'cancelled' as const : reason, failure_class: cancelled ? 'cancelled' as const : klass };
    updated = await transitionRun(uow, run, { to: decision.outcome, actor: DISPATCHER, extra, patch });
  }
  if (isTerminal(updated.status)) {
    const ledger = await listAttempts(tx, run.owner_id, run.id);
    const summary = { run_id: run.id, status: updated.status, failure_reason: updated.failure_reason, failure_class: updated.failure_class, retry_ledger: ledger };
    await insertArtifact(tx, { runId: run.id, ownerId: run.owner_id, attempt: 0, type: 'evidence', name: 'run-summary.json', contentType: 'application/json', content: JSON.stringify(summary), metadata: { status: updated.status } });
  }
  return updated;
}
