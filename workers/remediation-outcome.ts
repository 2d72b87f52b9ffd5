// Records how an attempt ended, in one transaction: closes the ledger row, stores the attempt's log bundle
// (and outputs), moves the run on as the failure taxonomy decides, schedules a retry, reports to the registry.
import { classifyFailure, decideRetry, type BackoffPolicy } from '../core/failure-taxonomy.ts';
import { isTerminal } from '../core/remediation-status.ts';
import type { ExecutionResult } from '../executors/remediation/types.ts';
import { insertArtifact } from '../sql/remediation-artifacts.ts';
import { closeAttempt, listAttempts, type AttemptRow } from '../sql/remediation-attempts.ts';
import { emitRunStatus } from '../sql/remediation-events.ts';
import { readAttemptLog } from '../sql/remediation-logs.ts';
import { scheduleDispatch } from '../sql/remediation-run-actions.ts';
import { syncRegistry } from '../sql/remediation-registry.ts';
import { patchRun, type RunRow } from '../sql/remediation-runs.ts';
import type { UnitOfWork } from '../sql/unit-of-work.ts';

export const DISPATCHER = 'remediation-dispatcher';

/** `run` must be locked by the caller and still on `attempt`. Answers the updated run, or undefined if already recorded. */
export async function recordOutcome(
  uow: UnitOfWork,
  run: RunRow,
  attempt: number,
  result: ExecutionResult,
  options: { backoff: BackoffPolicy; abandoned?: boolean },
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
  });
  if (!closed) return undefined;

  const log = await readAttemptLog(tx, run.id, attempt);
  await insertArtifact(tx, { runId: run.id, ownerId: run.owner_id, attempt, type: 'log-bundle', name: `attempt-${attempt}.log`, contentType: 'text/plain', content: log, metadata: { attempt_status: attemptStatus, exit_code: result.exitCode } });
  if (result.outputs !== undefined) {
    await insertArtifact(tx, { runId: run.id, ownerId: run.owner_id, attempt, type: 'output', name: `attempt-${attempt}-output.json`, contentType: 'application/json', content: JSON.stringify(result.outputs), metadata: {} });
  }

  const now = new Date();
  let updated: RunRow | undefined;
  if (decision === undefined) {
    updated = await patchRun(tx, run.id, { status: 'succeeded', completed_at: now, failure_reason: null, failure_class: null });
  } else if (decision.retry) {
    updated = await patchRun(tx, run.id, { status: 'retry-scheduled', failure_reason: reason, failure_class: klass });
    await scheduleDispatch(uow, run, decision.nextAttempt, decision.delayMs);
  } else {
    const cancelled = decision.outcome === 'cancelled';
    updated = await patchRun(tx, run.id, { status: decision.outcome, completed_at: now, failure_reason: cancelled ? 'cancelled' : reason, failure_class: cancelled ? 'cancelled' : klass });
  }
  if (updated === undefined) return undefined;
  if (isTerminal(updated.status)) {
    const ledger = await listAttempts(tx, run.owner_id, run.id);
    const summary = { run_id: run.id, status: updated.status, failure_reason: updated.failure_reason, failure_class: updated.failure_class, retry_ledger: ledger };
    await insertArtifact(tx, { runId: run.id, ownerId: run.owner_id, attempt: 0, type: 'evidence', name: 'run-summary.json', contentType: 'application/json', content: JSON.stringify(summary), metadata: { status: updated.status } });
  }
  await emitRunStatus(uow, updated, `run.${updated.status}`, {
    attempt,
    attempt_status: attemptStatus,
    exit_code: result.exitCode,
    detail: result.detail,
    ...(decision?.retry ? { retry_in_ms: decision.delayMs } : {}),
  });
  await syncRegistry(uow, updated, DISPATCHER);
  return updated;
}
