// remediation-execute processor (the dispatcher): claims one attempt of an approved run, executes it with
// cancellation wired to the API, the job and the hard timeout, batches its logs, and records the outcome.
// A re-delivered job (its worker died mid-attempt) writes that attempt off in the ledger and lets the taxonomy retry.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { BackoffPolicy } from '../core/failure-taxonomy.ts';
import type { ExecutorType } from '../core/remediation-plan.ts';
import type { ExecutorSet } from '../executors/remediation/registry.ts';
import { failed, type ExecutionResult } from '../executors/remediation/types.ts';
import type { remediationExecuteJob } from '../queues/remediation-execute.ts';
import type { Sql } from '../sql/db.ts';
import { findAttempt, idempotencyKey, openAttempt } from '../sql/remediation-attempts.ts';
import { emitRunLogs, emitRunStatus } from '../sql/remediation-events.ts';
import { appendRunLogs } from '../sql/remediation-logs.ts';
import { scheduleDeadline } from '../sql/remediation-run-actions.ts';
import { syncRegistry } from '../sql/remediation-registry.ts';
import { lockRun, patchRun, type RunRow } from '../sql/remediation-runs.ts';
import { transact, type Db } from '../sql/transact.ts';
import type { CancelBus } from './remediation-cancel-bus.ts';
import { createLogBatcher } from './remediation-log-batcher.ts';
import { DISPATCHER, recordOutcome } from './remediation-outcome.ts';

export interface DispatchDeps {
  sql: Sql;
  db: Db;
  logger: Logger;
  executors: ExecutorSet;
  cancelBus: CancelBus;
  workdir: string;
  backoff: BackoffPolicy;
  /** How long after an attempt's time limit the watchdog writes it off if nobody recorded an outcome. */
  watchdogGraceMs: number;
  cancelPollMs: number;
}

interface Claimed {
  run: RunRow;
  attempt: number;
  playbook: { playbook_key: string; executor_type: ExecutorType; plan: unknown; timeout_seconds: number };
}

type Claim = { claimed: Claimed } | { skipped: string };

async function claim(deps: DispatchDeps, data: z.infer<typeof remediationExecuteJob>, jobId: string): Promise<Claim> {
  return transact(deps.db, async (uow) => {
    const { tx } = uow;
    const run = await lockRun(tx, data.run_id);
    if (run === undefined || run.owner_id !== data.owner_id) return { skipped: 'missing' };
    if (run.status === 'running') {
      const open = await findAttempt(tx, run.id, run.attempt);
      if (open === undefined || open.finished_at !== null || open.job_id !== jobId) return { skipped: 'running-elsewhere' };
      // This job already started this attempt and is being delivered again: its worker died mid-attempt.
      const detail = 'the worker executing this attempt stopped before recording an outcome (stalled job re-delivered)';
      await recordOutcome(uow, run, run.attempt, failed('executor-unavailable', detail), { backoff: deps.backoff, abandoned: true });
      return { skipped: 'abandoned-attempt-written-off' };
    }
    if (run.status !== 'queued' && run.status !== 'retry-scheduled') return { skipped: `status-${run.status}` };
    if (run.attempt + 1 !== data.attempt) return { skipped: 'stale-job' };
    const [playbook] = await tx<Claimed['playbook'][]>`
      SELECT playbook_key, executor_type, plan, timeout_seconds FROM runtime_vm_remediation_playbooks WHERE id = ${run.playbook_id}`;
    if (playbook === undefined) return { skipped: 'playbook-missing' };
    await openAttempt(tx, run.id, data.attempt, jobId);
    const started = await patchRun(tx, run.id, { status: 'running', attempt: data.attempt, started_at: run.started_at ?? new Date() });
    if (started === undefined) return { skipped: 'missing' };
    await scheduleDeadline(uow, started, 'attempt-watchdog', playbook.timeout_seconds * 1000 + deps.watchdogGraceMs, data.attempt);
    await emitRunStatus(uow, started, 'run.running', { attempt: data.attempt });
    await syncRegistry(uow, started, DISPATCHER);
    return { claimed: { run: started, attempt: data.attempt, playbook } };
  });
}

async function execute(deps: DispatchDeps, claimed: Claimed, jobSignal: AbortSignal | undefined): Promise<ExecutionResult> {
  const { run, attempt, playbook } = claimed;
  const controller = new AbortController();
  const onJobAbort = () => controller.abort(new Error('job aborted'));
  jobSignal?.addEventListener('abort', onJobAbort, { once: true });
  const release = await deps.cancelBus.watch(run.id, controller);
  // Backstop for a lost pub/sub message: the request is recorded on the row.
  const poll = setInterval(() => {
    void deps.sql<{ requested: boolean }[]>`SELECT cancellation_requested_at IS NOT NULL AS requested FROM runtime_vm_remediation_runs WHERE id = ${run.id}`
      .then(([row]) => row?.requested && controller.abort(new Error('cancellation requested')))
      .catch((error: unknown) => deps.logger.warn({ err: error, runId: run.id }, 'cancellation poll failed'));
  }, deps.cancelPollMs);
  const batcher = createLogBatcher(
    (lines) =>
      transact(deps.db, async (uow) => {
        const stored = await appendRunLogs(uow.tx, run.id, attempt, lines);
        emitRunLogs(uow, run, attempt, stored);
      }),
    { maxLines: 500, intervalMs: 100 },
  );
  const workdir = path.join(deps.workdir, `run-${run.id}`, `attempt-${attempt}`);
  try {
    await mkdir(workdir, { recursive: true });
    const variables = { run_id: String(run.id), vm_instance_id: String(run.vm_instance_id), playbook_key: playbook.playbook_key, attempt: String(attempt) };
    const result = await deps.executors.execute(playbook.executor_type, playbook.plan, {
      signal: controller.signal,
      onLog: (event) => batcher.push(event),
      attempt,
      ownerId: run.owner_id,
      idempotencyKey: idempotencyKey(run.id, attempt),
      timeoutMs: playbook.timeout_seconds * 1000,
      variables,
      workdir,
    });
    return result;
  } finally {
    clearInterval(poll);
    release();
    jobSignal?.removeEventListener('abort', onJobAbort);
    await batcher.close();
    // A leftover directory costs disk, not correctness: say so and carry on with the outcome.
    await rm(workdir, { recursive: true, force: true }).catch((error: unknown) => deps.logger.warn({ err: error, runId: run.id, workdir }, 'attempt work directory not removed'));
  }
}

export function createRemediationExecuteHandler(deps: DispatchDeps) {
  return async (data: z.infer<typeof remediationExecuteJob>, job: Job, signal: AbortSignal | undefined) => {
    const jobId = job.id ?? `${job.name}-${data.run_id}-${data.attempt}`;
    const outcome = await claim(deps, data, jobId);
    if ('skipped' in outcome) return { run_id: data.run_id, skipped: outcome.skipped };
    const { run, attempt } = outcome.claimed;
    const result = await execute(deps, outcome.claimed, signal);
    const recorded = await transact(deps.db, async (uow) => {
      const current = await lockRun(uow.tx, run.id);
      if (current === undefined || current.status !== 'running' || current.attempt !== attempt) return undefined;
      // Stopped without anyone asking (worker shutdown, lost job lock): not a cancellation, an interrupted attempt.
      if (result.status === 'cancelled' && current.cancellation_requested_at === null) {
        const interrupted = failed('executor-unavailable', 'the attempt was interrupted by its worker (shutdown or lost job lock)');
        return recordOutcome(uow, current, attempt, interrupted, { backoff: deps.backoff, abandoned: true });
      }
      return recordOutcome(uow, current, attempt, result, { backoff: deps.backoff });
    });
    return { run_id: run.id, attempt, result: result.status, failure_reason: result.failureReason, status: recorded?.status ?? 'already-recorded' };
  };
}
