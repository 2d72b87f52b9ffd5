// Reports a run's status to the trust registry as a remediation event, with optimistic locking: read the
// version, apply against it, re-read on a conflict. Runs on instances whose lifecycle takes no remediation
// events (e.g. a manual run on a trusted instance) leave the registry alone instead of failing the run.
import { isAppError } from '../core/errors.ts';
import { registryStateFor } from '../core/remediation-status.ts';
import type { RemediationState } from '../core/trust-states.ts';
import type { RunRow } from './remediation-runs.ts';
import { applyTrustEvent } from './trust-registry.ts';
import type { UnitOfWork } from './unit-of-work.ts';

export type RegistrySync = { applied: true; state: RemediationState; version: number } | { applied: false; state: RemediationState; why: string };

export async function syncRegistry(uow: UnitOfWork, run: RunRow, actor: string): Promise<RegistrySync> {
  const { tx } = uow;
  const state = registryStateFor(run.status, run.approval_state);
  for (let tries = 0; tries < 3; tries++) {
    const [current] = await tx<{ version: number; remediation_state: string | null; run_id: string | null }[]>`
      SELECT version, remediation_state, provenance ->> 'run_id' AS run_id FROM runtime_vm_trust_registry
      WHERE vm_instance_id = ${run.vm_instance_id} AND owner_id = ${run.owner_id}`;
    if (current === undefined) return { applied: false, state, why: 'no-registry-entry' };
    // A re-delivered job reports the same state again: once is enough.
    if (current.remediation_state === state && current.run_id === String(run.id)) return { applied: false, state, why: 'already-reported' };
    try {
      // The savepoint's stream event and jobs join this unit of work: appended in the outer transaction, in order.
      const result = await uow.savepoint((sp) =>
        applyTrustEvent(sp, {
          ownerId: run.owner_id,
          vmInstanceId: run.vm_instance_id,
          expectedVersion: current.version,
          event: { kind: 'remediation', state, runId: run.id },
          actor,
          trigger: 'remediation',
          provenance: { reason: `remediation run ${run.id} ${run.status}`, run_id: run.id },
        }),
      );
      return { applied: true, state, version: result.registry.version };
    } catch (error) {
      if (isAppError(error) && error.code === 'illegal-transition') return { applied: false, state, why: 'illegal-transition' };
      if (isAppError(error) && error.code === 'version-conflict') continue;
      throw error;
    }
  }
  return { applied: false, state, why: 'version-conflict' };
}
