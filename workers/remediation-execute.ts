// remediation-execute processor (the dispatcher): claims one attempt of an approved run under a new fencing token,
// executes it while holding its lease, with cancellation wired to the API, the job, the lease and the hard timeout,
// batches its logs, and records the outcome first (a lost log write is noted, never a reason to run again).
// A re-delivered job (its worker died mid-attempt) writes that attempt off once its lease expired, and lets the
// taxonomy retry; while the lease is live the previous holder may still be executing, so it waits.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { rm } from 'node:fs/promises';
import { setImmediate, setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { AppError, isAppError } from '../core/errors.ts';
import type { BackoffPolicy } from '../core/failure-taxonomy.ts';
import { attemptDirIn, clearAttemptDirIn, earlyAttemptDirIn, prepareWorkRoot, runDirUnder } from '../executors/remediation/attempt-dir.ts';
import type { ExecutorSet } from '../executors/remediation/registry.ts';
import { failed, type ExecutionResult } from '../executors/remediation/types.ts';
import type { remediationExecuteJob } from '../queues/remediation-execute.ts';
import type { Sql } from '../sql/db.ts';
import { lockAttempt, idempotencyKey, leaseRemainingMs, lockForHolder, noteLogLoss, type AttemptLease } from '../sql/remediation-attempts.ts';
import { AttemptExistsError, planOfClaim, readAttemptPlan, samePlan, startAttempt, type AttemptPlan, type ClaimedPlaybook } from '../sql/remediation-claim.ts';
import { emitRunEvent, emitRunLogs } from '../sql/remediation-events.ts';
import { appendRunLogs } from '../sql/remediation-logs.ts';
import { scheduleDeadline } from '../sql/remediation-run-actions.ts';
import { applyRegistrySync, readRegistryForRun } from '../sql/remediation-registry.ts';
import { lockRun, type RunRow } from '../sql/remediation-runs.ts';
import { transact, type Db } from '../sql/transact.ts';
import type { UnitOfWork } from '../sql/unit-of-work.ts';
import type { CancelBus } from './remediation-cancel-bus.ts';
import { createPlaybookCache, type PlaybookCache } from './remediation-playbook-cache.ts';
import { keepLease, waitOutLease } from './remediation-lease.ts';
import { createLogBatcher, type LogLoss } from './remediation-log-batcher.ts';
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
  /** Length of an attempt's lease (REMEDIATION_LEASE_MS); renewed every third of it. */
  leaseMs: number;
}

interface Claimed {
  run: RunRow;
  attempt: number;
  lease: AttemptLease;
  playbook: ClaimedPlaybook;
}

type Claim = { claimed: Claimed } | { skipped: string } | { leaseLiveMs: number };

/**
 * Claim the job's attempt: the usual case (a queued or retry-scheduled run on the attempt before) in one statement
 * pipelined with the registry read, then the watchdog job and the registry report together, the stream event
 * with the COMMIT. Anything else goes the long way, which says why nothing is claimed.
 */
async function claim(deps: DispatchDeps, data: z.infer<typeof remediationExecuteJob>, jobId: string): Promise<Claim> {
  try {
    return await transact(deps.db, async (uow) => {
      const input = { runId: data.run_id, ownerId: data.owner_id, attempt: data.attempt, jobId, leaseMs: deps.leaseMs, actor: DISPATCHER };
      const [first, registry] = await Promise.all([startAttempt(uow.tx, input), readRegistryForRun(uow.tx, { id: data.run_id, owner_id: data.owner_id })]);
      let started = first;
      if (started === undefined) {
        const other = await claimOtherwise(deps, uow, data, jobId);
        if (other !== 'claimable') return other;
        // Claimable by the run row, locked now: the playbook is gone (or the first statement's snapshot was older).
        started = await startAttempt(uow.tx, input);
        if (started === undefined) return { skipped: 'playbook-missing' };
      }
      const { run, lease, playbook, accelerators } = started;
      emitRunEvent(uow, run, { playbook, accelerators }, 'run.running', { attempt: data.attempt });
      await Promise.all([
        applyRegistrySync(uow, run, DISPATCHER, registry),
        scheduleDeadline(uow, run, 'attempt-watchdog', playbook.timeout_seconds * 1000 + deps.watchdogGraceMs, data.attempt),
      ]);
      return { claimed: { run, attempt: data.attempt, lease, playbook } };
      // The watchdog job fires after the attempt's timeout: its hand-off to BullMQ (two Redis round trips) need not
      // hold up the process start, and the relay enqueues it should the hand-off fail.
    }, { afterCommit: 'background' });
  } catch (error) {
    // Rolled back whole: the claim statement's writes with it.
    if (error instanceof AttemptExistsError) return { skipped: 'attempt-exists' };
    throw error;
  }
}

/** Why the claim statement claimed nothing: a re-delivery of a started attempt, a job with nothing to do, or neither. */
async function claimOtherwise(deps: DispatchDeps, uow: UnitOfWork, data: z.infer<typeof remediationExecuteJob>, jobId: string): Promise<Claim | 'claimable'> {
  const { tx } = uow;
  const run = await lockRun(tx, data.run_id);
  if (run === undefined || run.owner_id !== data.owner_id) return { skipped: 'missing' };
  if (run.status === 'running') {
    const open = await lockAttempt(tx, run.id, run.attempt);
    if (open === undefined || open.finished_at !== null || open.job_id !== jobId) return { skipped: 'running-elsewhere' };
    // This job already started this attempt and is being delivered again: its worker died or lost the job lock.
    // Until the lease expires the holder may still be executing (it stops itself when it cannot renew).
    const leaseLiveMs = leaseRemainingMs(open);
    if (leaseLiveMs > 0) return { leaseLiveMs };
    const detail = 'the worker executing this attempt stopped before recording an outcome (stalled job re-delivered)';
    await recordOutcome(uow, run, run.attempt, failed('executor-unavailable', detail), { backoff: deps.backoff, abandoned: true });
    return { skipped: 'abandoned-attempt-written-off' };
  }
  if (run.status !== 'queued' && run.status !== 'retry-scheduled') return { skipped: `status-${run.status}` };
  if (run.attempt + 1 !== data.attempt) return { skipped: 'stale-job' };
  return 'claimable';
}

interface Executed {
  result: ExecutionResult;
  logLoss: LogLoss | undefined;
}

/**
 * Execute `plan` once `claimed` answers (docs/remediation.md, "Start gate"): the work directory, the cancel watch
 * and the executor's own preparation (its sandbox set up, the command held at the gate) go ahead at once; the
 * command runs only once `claimed` resolves to this worker's committed claim of this very plan. Resolved to
 * undefined, the gate stays shut, nothing runs, and the answer is to be discarded.
 */
async function execute(deps: DispatchDeps, plan: AttemptPlan, claimed: Promise<Claimed | undefined>, controller: AbortController, dir: Promise<string>): Promise<Executed> {
  const { runId, attempt, playbook } = plan;
  const gate = claimed.then((claim) => {
    if (claim === undefined) throw new Error(`attempt ${attempt} of run ${runId} is not this worker's`);
  });
  gate.catch(() => undefined);
  const release = await deps.cancelBus.watch(runId, controller);
  // Backstop for a lost pub/sub message: the request is recorded on the row.
  const poll = setInterval(() => {
    void deps.sql<{ requested: boolean }[]>`SELECT cancellation_requested_at IS NOT NULL AS requested FROM runtime_vm_remediation_runs WHERE id = ${runId}`
      .then(([row]) => row?.requested && controller.abort(new Error('cancellation requested')))
      .catch((error: unknown) => deps.logger.warn({ err: error, runId }, 'cancellation poll failed'));
  }, deps.cancelPollMs);
  const batcher = createLogBatcher(
    async (lines) => {
      // Lines of an attempt that turned out not to be ours have nowhere to go.
      const claim = await claimed;
      if (claim === undefined) return;
      await transact(deps.db, async (uow) => {
        const { tx } = uow;
        if (!(await lockForHolder(tx, claim.lease))) throw new AppError('attempt-superseded', `attempt ${attempt} of run ${runId} no longer holds the run`);
        const stored = await appendRunLogs(tx, runId, attempt, lines);
        emitRunLogs(uow, claim.run, attempt, stored);
      });
    },
    {
      maxLines: 500,
      intervalMs: 100,
      onLoss: (error) => {
        deps.logger.warn({ err: error, runId, attempt }, 'attempt log batch not stored');
        if (isAppError(error) && error.code === 'attempt-superseded') controller.abort(new Error('attempt superseded'));
      },
    },
  );
  let workdir: string | undefined;
  try {
    try {
      workdir = await dir;
    } catch (error) {
      // Nothing ran: an unsafe or unusable work directory is the host's fault, not the playbook's.
      const detail = `the attempt's work directory cannot be prepared under REMEDIATION_WORKDIR: ${(error as Error).message}`;
      batcher.push({ stream: 'system', line: detail, at: new Date() });
      return { result: failed('executor-unavailable', detail), logLoss: await batcher.close() };
    }
    const variables = { run_id: String(runId), vm_instance_id: String(plan.vmInstanceId), playbook_key: playbook.playbook_key, attempt: String(attempt) };
    const result = await deps.executors.execute(playbook.executor_type, playbook.plan, {
      signal: controller.signal,
      onLog: (event) => batcher.push(event),
      attempt,
      ownerId: plan.ownerId,
      idempotencyKey: idempotencyKey(runId, attempt),
      timeoutMs: playbook.timeout_seconds * 1000,
      variables,
      workdir,
      gate,
    });
    return { result, logLoss: await batcher.close() };
  } finally {
    clearInterval(poll);
    release();
    // Idempotent: flushes nothing when the try block already closed it; on a throw it settles the pending writes.
    await batcher.close();
    // A leftover directory costs disk, not correctness: say so and carry on with the outcome. The directory of an
    // attempt that was not ours stays: the worker that claimed it may be using it (still the worker's own, never
    // handed to the sandbox, so attemptDirIn keeps it).
    if (workdir !== undefined && (await claimed) !== undefined) {
      await rm(workdir, { recursive: true, force: true }).catch((error: unknown) => deps.logger.warn({ err: error, runId, workdir }, 'attempt work directory not removed'));
    }
  }
}

/** The holder records its attempt's outcome; a database hiccup is retried a few times before the job fails. */
async function recordHeld(deps: DispatchDeps, claimed: Claimed, result: ExecutionResult, logLoss: LogLoss | undefined): Promise<RunRow | undefined> {
  const { run, attempt, lease } = claimed;
  const write = () =>
    transact(deps.db, async (uow) => {
      const { tx } = uow;
      const current = await lockRun(tx, run.id);
      if (current === undefined || current.status !== 'running' || current.attempt !== attempt || current.fence !== lease.fence) return undefined;
      if (logLoss) await noteLogLoss(tx, run.id, attempt, logLoss.lines, logLoss.error instanceof Error ? logLoss.error.message : String(logLoss.error));
      const options = { backoff: deps.backoff, fence: lease.fence, logLinesLost: logLoss?.lines ?? 0 };
      // Stopped without anyone asking (worker shutdown, lost job lock or lease): not a cancellation, an interrupted attempt.
      if (result.status === 'cancelled' && current.cancellation_requested_at === null) {
        const interrupted = failed('executor-unavailable', 'the attempt was interrupted by its worker (shutdown, lost job lock or lost lease)');
        return recordOutcome(uow, current, attempt, interrupted, { ...options, abandoned: true });
      }
      return recordOutcome(uow, current, attempt, result, options);
    });
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (error) {
      // Our own refusals are final; a failed connection or statement is worth another try while the lease holds.
      if (isAppError(error) || tries >= 4) throw error;
      deps.logger.warn({ err: error, runId: run.id, attempt, tries }, 'attempt outcome not recorded; trying again');
      await delay(200 * 2 ** tries);
    }
  }
}

/** The plan of the job's attempt from the job's playbook hint and the cache, when both are there. */
function cachedPlan(playbooks: PlaybookCache, data: z.infer<typeof remediationExecuteJob>): AttemptPlan | undefined {
  const { run_id: id, owner_id, vm_instance_id, playbook_id, playbook_version } = data;
  if (vm_instance_id === undefined || playbook_id === undefined || playbook_version === undefined) return undefined;
  const playbook = playbooks.get(playbook_id, playbook_version);
  return playbook && planOfClaim({ id, owner_id, vm_instance_id }, data.attempt, playbook);
}

export function createRemediationExecuteHandler(deps: DispatchDeps) {
  const playbooks = createPlaybookCache();
  return async (data: z.infer<typeof remediationExecuteJob>, job: Job, signal: AbortSignal | undefined) => {
    const jobId = job.id ?? `${job.name}-${data.run_id}-${data.attempt}`;
    // The root checked and the run's directory made while the claim is in flight (neither touches any attempt's
    // directory); a failure is the attempt's outcome.
    const runDir = prepareWorkRoot(deps.workdir).then((root) => runDirUnder(root, data.run_id));
    runDir.catch(() => undefined);
    const controller = new AbortController();
    const onJobAbort = () => controller.abort(new Error('job aborted'));
    signal?.addEventListener('abort', onJobAbort, { once: true });
    // The plan, from the cache or read beside the claim (on another connection, while the claim's BEGIN is on its
    // way), lets the executor set up while the claim commits; a failed read only loses that head start. `answer`
    // tells that start whether it is the one to run: the claim, when it committed for the same plan, or undefined.
    let answer!: (claim: Claimed | undefined) => void;
    const claimed = new Promise<Claimed | undefined>((resolve) => (answer = resolve));
    const hinted = cachedPlan(playbooks, data);
    const planned = hinted
      ? Promise.resolve(hinted)
      : readAttemptPlan(deps.sql, { runId: data.run_id, ownerId: data.owner_id, attempt: data.attempt }).catch(() => undefined);
    let early = planned.then(async (plan) => {
      if (plan === undefined) return undefined;
      // Nothing is cleared before the claim: with a directory that is not the worker's own there is no head start.
      const dir = await runDir.then((run) => earlyAttemptDirIn(run, plan.attempt), () => undefined);
      if (dir === undefined) return undefined;
      const execution = execute(deps, plan, claimed, controller, Promise.resolve(dir));
      // Awaited once the claim answered; a failure before that must not count as unhandled.
      execution.catch(() => undefined);
      return { plan, execution };
    });
    const discardEarly = async () => {
      const discarded = early;
      early = Promise.resolve(undefined);
      answer(undefined);
      await (await discarded)?.execution.catch(() => undefined);
    };
    try {
      let outcome: Exclude<Claim, { leaseLiveMs: number }>;
      try {
        // A start from the cache goes first: when its steps need no I/O (the cancel watch subscribed already, as
        // while runs keep coming), its request is with the launcher by the next turn of the event loop, and the
        // sandbox setup (the longer of the two) is not queued behind the claim's statements. Only an ordering.
        if (hinted) await setImmediate();
        outcome = await waitOutLease(async () => {
          const step = await claim(deps, data, jobId);
          // The plan read saw a claimable run that is not: no head start to keep while the lease runs out.
          if ('leaseLiveMs' in step) await discardEarly();
          return step;
        }, signal);
      } catch (error) {
        await discardEarly();
        throw error;
      }
      if ('skipped' in outcome) {
        await discardEarly();
        return { run_id: data.run_id, skipped: outcome.skipped };
      }
      const { run, attempt, lease, playbook } = outcome.claimed;
      playbooks.remember(playbook);
      // Renewed until the outcome is recorded: a retry must not start while this attempt may still write.
      const keeper = keepLease({ sql: deps.sql, logger: deps.logger, leaseMs: deps.leaseMs }, lease, controller);
      let recorded: RunRow | undefined;
      let result: ExecutionResult;
      try {
        const plan = planOfClaim(run, attempt, playbook);
        const head = await early;
        let execution: Promise<Executed>;
        if (head !== undefined && samePlan(head.plan, plan)) {
          answer(outcome.claimed);
          execution = head.execution;
        } else {
          // The read answered another plan (the playbook changed in between) or none: that start never runs, and
          // what it wrote into the directory (its plan's files) goes; the claim makes the directory this worker's.
          await discardEarly();
          const dir = runDir.then((run) => {
            if (head !== undefined) clearAttemptDirIn(run, attempt);
            return attemptDirIn(run, attempt);
          });
          execution = execute(deps, plan, Promise.resolve(outcome.claimed), controller, dir);
        }
        const executed = await execution;
        result = executed.result;
        recorded = await recordHeld(deps, outcome.claimed, result, executed.logLoss);
      } finally {
        keeper.release();
      }
      return { run_id: run.id, attempt, result: result.status, failure_reason: result.failureReason, status: recorded?.status ?? 'already-recorded' };
    } finally {
      signal?.removeEventListener('abort', onJobAbort);
    }
  };
}
