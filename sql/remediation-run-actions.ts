// The state changes a remediation run goes through outside the executor: creation, approval and cancellation.
// Each runs in the caller's transaction and writes its follow-up jobs (dispatch, deadlines, stream, registry).
import { AppError } from '../core/errors.ts';
import { isTerminal } from '../core/remediation-status.ts';
import type { ApprovalBody, CancelBody } from '../core/schemas/remediation.ts';
import { deadlineJobId, remediationDeadlineQueue } from '../queues/remediation-deadline.ts';
import { executeJobId, remediationExecuteQueue } from '../queues/remediation-execute.ts';
import { hasAcceleratorFixtures, ingestAcceleratorFixtures } from './remediation-accelerators.ts';
import { emitRunStatus } from './remediation-events.ts';
import { readForAnnouncement, recordRunCreated, transitionRun } from './remediation-run-status.ts';
import { findActiveRun, insertRun, lockRun, patchRun, recordActorEmail, versionConflict, type NewRun, type RunRow } from './remediation-runs.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export function scheduleDispatch(uow: UnitOfWork, run: Pick<RunRow, 'id' | 'owner_id' | 'vm_instance_id' | 'playbook_id' | 'playbook_version'>, attempt: number, delayMs = 0): void {
  const data = { run_id: run.id, owner_id: run.owner_id, attempt, vm_instance_id: run.vm_instance_id, playbook_id: run.playbook_id, playbook_version: run.playbook_version };
  uow.enqueue(remediationExecuteQueue, data, { jobId: executeJobId(run.id, attempt), ...(delayMs > 0 ? { delay: delayMs } : {}) });
}

export function scheduleDeadline(uow: UnitOfWork, run: RunRow, kind: 'approval-expiry' | 'sla-breach' | 'attempt-watchdog', delayMs: number, attempt = 0): void {
  uow.enqueue(remediationDeadlineQueue, { run_id: run.id, owner_id: run.owner_id, kind, attempt }, { jobId: deadlineJobId(kind, run.id, attempt), delay: Math.max(0, delayMs) });
}

/**
 * Create a run. `onActive: 'throw'` answers 409 active-run-exists when the instance already has one (the unique
 * index decides, also under concurrent submissions); `'skip'` answers undefined (a repeated quarantine event).
 */
export async function createRun(uow: UnitOfWork, input: NewRun, onActive: 'throw' | 'skip'): Promise<RunRow | undefined> {
  const { tx } = uow;
  const inserted = insertRun(tx, input);
  // The announcement's reads depend only on the request: sent right behind the insert, one round trip for all three.
  // Not when fixtures are to be written first (the event shows them), nor when a run already there is skipped
  // (the registry read locks the row, for a run that is not made).
  const reads = onActive === 'throw' && !hasAcceleratorFixtures(input.metadata)
    ? readForAnnouncement(tx, { playbook_id: input.playbook.id, owner_id: input.ownerId, vm_instance_id: input.vmInstanceId })
    : undefined;
  const run = await inserted;
  if (run === undefined) {
    if (onActive === 'skip') return undefined;
    const active = await findActiveRun(tx, input.ownerId, input.vmInstanceId);
    throw new AppError('active-run-exists', `VM instance ${input.vmInstanceId} already has an active remediation run`, {
      extras: { active_run_id: active?.id ?? null },
    });
  }
  const expiresAt = run.approval_state === 'pending' ? run.approval_expires_at : null;
  // Accelerator fixtures in the run's (or its scenario's) metadata become posture rows before the first event.
  scheduleDeadline(uow, run, 'sla-breach', run.sla_deadline.getTime() - Date.now());
  if (expiresAt) scheduleDeadline(uow, run, 'approval-expiry', expiresAt.getTime() - Date.now());
  else scheduleDispatch(uow, run, 1);
  await ingestAcceleratorFixtures(tx, input.ownerId, input.vmInstanceId, input.metadata);
  await recordRunCreated(uow, run, input.requestedBy, reads);
  return run;
}

async function lockOwned(tx: UnitOfWork['tx'], ownerId: string, id: number): Promise<RunRow> {
  const run = await lockRun(tx, id);
  if (run === undefined || run.owner_id !== ownerId) throw new AppError('run-not-found', `remediation run ${id} does not exist`);
  return run;
}

/** Mark a pending approval expired; answers the expired run when this call expired it. */
export async function expireApproval(uow: UnitOfWork, run: RunRow, actor: string): Promise<RunRow | undefined> {
  if (run.approval_state !== 'pending' || run.approval_expires_at === null || run.approval_expires_at.getTime() > Date.now()) return undefined;
  return transitionRun(uow, run, { to: 'expired', actor, patch: { approval_state: 'expired', completed_at: new Date() } });
}

export type ApprovalOutcome = { run: RunRow } | { expired: RunRow };

/** Who acts on a run: the token's subject and owner, and its `email` claim when it carries one. */
export interface RunActor {
  owner: string;
  sub: string;
  email?: string | undefined;
}

export async function decideApproval(uow: UnitOfWork, actor: RunActor, id: number, body: ApprovalBody): Promise<ApprovalOutcome> {
  const { tx } = uow;
  const run = await lockOwned(tx, actor.owner, id);
  if (run.requested_by === actor.sub) throw new AppError('approval-not-allowed', 'the requester of a run cannot approve or deny it');
  if (run.version !== body.version) throw versionConflict(run, body.version);
  if (run.approval_state !== 'pending') throw new AppError('invalid-state', `run ${id} is not awaiting approval (approval_state ${run.approval_state})`);
  const expired = await expireApproval(uow, run, actor.sub);
  if (expired) return { expired };
  const approve = body.decision === 'approve';
  await recordActorEmail(tx, run.id, 'approved_by_email', actor.email);
  const decided = await transitionRun(uow, run, {
    to: approve ? 'queued' : 'denied',
    actor: actor.sub,
    event: approve ? 'run.approved' : 'run.denied',
    extra: { actor: actor.sub },
    patch: {
      approval_state: approve ? 'approved' : 'denied',
      approved_by: actor.sub,
      approved_at: new Date(),
      approval_note: body.note ?? null,
      ...(approve ? {} : { completed_at: new Date() }),
    },
  });
  if (approve) await scheduleDispatch(uow, decided, 1);
  return { run: decided };
}

/** Cancel at once when nothing executes; otherwise record the request for the executing worker. */
export async function requestCancel(uow: UnitOfWork, actor: RunActor, id: number, body: CancelBody): Promise<{ run: RunRow; signalWorker: boolean }> {
  const { tx } = uow;
  const run = await lockOwned(tx, actor.owner, id);
  if (run.version !== body.version) throw versionConflict(run, body.version);
  if (isTerminal(run.status)) throw new AppError('invalid-state', `run ${id} already ended (${run.status})`);
  const request = { cancellation_requested_at: new Date(), cancelled_by: actor.sub, cancellation_reason: body.reason ?? null };
  await recordActorEmail(tx, run.id, 'cancelled_by_email', actor.email);
  if (run.status === 'running') {
    const requested = await patchRun(tx, run.id, request);
    if (requested === undefined) throw new AppError('internal', 'locked run vanished');
    await emitRunStatus(uow, requested, 'run.cancel-requested', { actor: actor.sub });
    return { run: requested, signalWorker: true };
  }
  const cancelled = await transitionRun(uow, run, {
    to: 'cancelled',
    actor: actor.sub,
    extra: { actor: actor.sub },
    patch: { ...request, completed_at: new Date(), failure_reason: 'cancelled', failure_class: 'cancelled' },
  });
  return { run: cancelled, signalWorker: false };
}
