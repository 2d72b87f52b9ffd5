// The one writer of a remediation run's status: it checks the move against the transition table
// (core/remediation-status.ts) and writes the status, its status-ledger row, the stream event and the registry
// report together, in the caller's unit of work. patchRun cannot set a status, so nothing else can.
import { AppError } from '../core/errors.ts';
import { canTransition, type RunStatus } from '../core/remediation-status.ts';
import { emitRunEvent, readRunEventContext, type RunEventContext } from './remediation-events.ts';
import { applyRegistrySync, readRegistryForRun } from './remediation-registry.ts';
import type { TrustRegistryRow } from './trust-registry.ts';
import type { RunPatch, RunRow } from './remediation-runs.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export interface RunTransition {
  to: RunStatus;
  /** Who made the change (a user's sub, or the dispatcher): the ledger row and the registry report name it. */
  actor: string;
  /** The stream event; `run.<to>` unless given (`run.approved` for pending → queued, say). */
  event?: string;
  /** Extra fields of the stream event's payload. */
  extra?: Record<string, unknown>;
  /** Columns that change with the status (completed_at, failure_reason, attempt …). */
  patch?: RunPatch;
}

async function appendLedger(tx: UnitOfWork['tx'], run: RunRow, from: RunStatus | null, actor: string, event: string): Promise<void> {
  await tx`
    INSERT INTO runtime_vm_remediation_run_transitions (run_id, from_status, to_status, attempt, actor, event)
    VALUES (${run.id}, ${from}, ${run.status}, ${run.attempt}, ${actor}, ${event})`;
}

/** What announcing a run reads: sent ahead by a writer that knows the run's playbook and instance before its row. */
export interface RunAnnouncementReads {
  context: Promise<RunEventContext>;
  registry: Promise<TrustRegistryRow | undefined>;
}

/** Send announceRun's reads now (pipelined behind whatever the transaction sent before). */
export function readForAnnouncement(tx: UnitOfWork['tx'], run: Pick<RunRow, 'playbook_id' | 'owner_id' | 'vm_instance_id'>): RunAnnouncementReads {
  const reads = { context: readRunEventContext(tx, run), registry: readRegistryForRun(tx, run) };
  // Awaited by announceRun; a writer that gives up before it must not leave a rejection unhandled.
  reads.context.catch(() => undefined);
  reads.registry.catch(() => undefined);
  return reads;
}

/**
 * The stream event and the registry report of `run`'s new status: both reads in one round trip (pipelined, or sent
 * ahead as `reads`), the event emitted before the registry's own, as before; `also` (the caller's own write) is
 * awaited beside the registry report.
 */
export async function announceRun(
  uow: UnitOfWork,
  run: RunRow,
  actor: string,
  event: string,
  extra: Record<string, unknown> = {},
  also?: Promise<unknown>,
  reads: RunAnnouncementReads = readForAnnouncement(uow.tx, run),
): Promise<void> {
  const [context, registry] = await Promise.all([reads.context, reads.registry]);
  emitRunEvent(uow, run, context, event, extra);
  await Promise.all([applyRegistrySync(uow, run, actor, registry), also]);
}

/**
 * Move `run` (locked by the caller, as read) to `change.to`. Refuses a move the table does not allow with
 * `illegal-run-transition`, and a run whose status changed since it was read with `invalid-state`.
 */
export async function transitionRun(uow: UnitOfWork, run: RunRow, change: RunTransition): Promise<RunRow> {
  const { tx } = uow;
  const from = run.status;
  if (!canTransition(from, change.to)) {
    throw new AppError('illegal-run-transition', `remediation run ${run.id} cannot move from ${from} to ${change.to}`, { extras: { from, to: change.to } });
  }
  const patch = { ...change.patch, status: change.to };
  const columns = Object.keys(patch) as (keyof typeof patch)[];
  const event = change.event ?? `run.${change.to}`;
  // The status and its ledger row in one statement.
  const [updated] = await tx<RunRow[]>`
    WITH updated AS (
      UPDATE runtime_vm_remediation_runs SET ${tx(patch as Record<string, unknown>, ...columns)}, version = version + 1, updated_at = now()
      WHERE id = ${run.id} AND status = ${from}
      RETURNING *
    ), ledger AS (
      INSERT INTO runtime_vm_remediation_run_transitions (run_id, from_status, to_status, attempt, actor, event)
      SELECT id, ${from}::text, status, attempt, ${change.actor}, ${event} FROM updated
    )
    SELECT * FROM updated`;
  if (updated === undefined) throw new AppError('invalid-state', `remediation run ${run.id} is no longer ${from}`);
  await announceRun(uow, updated, change.actor, event, change.extra);
  return updated;
}

/** The ledger row, stream event and registry report of a run just inserted with its first status. */
export async function recordRunCreated(uow: UnitOfWork, run: RunRow, actor: string, reads?: RunAnnouncementReads): Promise<void> {
  await announceRun(uow, run, actor, 'run.created', {}, appendLedger(uow.tx, run, null, actor, 'run.created'), reads);
}
