// Reports a run's status to the trust registry as a remediation event. The registry row is read locked (so the
// answer holds until commit) and the lifecycle rule is checked here first: runs on instances whose lifecycle takes
// no remediation events (e.g. a manual run on a trusted instance) leave the registry alone instead of failing the
// run, without a savepoint to roll back.
import { applyEvent } from '../core/lifecycle.ts';
import { registryStateFor } from '../core/remediation-status.ts';
import type { RemediationState } from '../core/trust-states.ts';
import type { Queryable } from './db.ts';
import type { RunRow } from './remediation-runs.ts';
import { applyTrustEvent, type TrustRegistryRow } from './trust-registry.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export type RegistrySync = { applied: true; state: RemediationState; version: number } | { applied: false; state: RemediationState; why: string };

/** The freshness applyTrustEvent gives decided evidence by default; a remediation event decides none. */
const FRESHNESS_SECONDS = 3600;

/** The registry row of the run's instance, locked; `runId` alone is enough (the run's instance is read in the statement). */
export async function readRegistryForRun(sql: Queryable, run: { owner_id: string } & ({ vm_instance_id: number } | { id: number })): Promise<TrustRegistryRow | undefined> {
  const instance = 'vm_instance_id' in run ? run.vm_instance_id : sql`(SELECT vm_instance_id FROM runtime_vm_remediation_runs WHERE id = ${run.id})`;
  const [row] = await sql<TrustRegistryRow[]>`
    SELECT *, coalesce(freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry
    WHERE vm_instance_id = ${instance} AND owner_id = ${run.owner_id}
    FOR UPDATE`;
  return row;
}

/** Apply the run's state to `current` (read by readRegistryForRun in this transaction). */
export async function applyRegistrySync(uow: UnitOfWork, run: RunRow, actor: string, current: TrustRegistryRow | undefined): Promise<RegistrySync> {
  const state = registryStateFor(run.status, run.approval_state);
  if (current === undefined) return { applied: false, state, why: 'no-registry-entry' };
  // A re-delivered job reports the same state again: once is enough.
  if (current.remediation_state === state && String(current.provenance.run_id) === String(run.id)) return { applied: false, state, why: 'already-reported' };
  const event = { kind: 'remediation' as const, state, runId: run.id };
  if (!applyEvent(current, event, FRESHNESS_SECONDS).ok) return { applied: false, state, why: 'illegal-transition' };
  const result = await applyTrustEvent(uow, {
    ownerId: run.owner_id,
    vmInstanceId: run.vm_instance_id,
    expectedVersion: current.version,
    locked: current,
    event,
    actor,
    trigger: 'remediation',
    provenance: { reason: `remediation run ${run.id} ${run.status}`, run_id: run.id },
  });
  return { applied: true, state, version: result.registry.version };
}

export async function syncRegistry(uow: UnitOfWork, run: RunRow, actor: string): Promise<RegistrySync> {
  return applyRegistrySync(uow, run, actor, await readRegistryForRun(uow.tx, run));
}
