// remediation-materialise processor: a history row that moved an instance INTO quarantine becomes a run of the
// playbook the catalog selects (core/playbook-selection.ts), with the quarantine's provenance. Outcomes of
// remediation itself (trigger `remediation`) never start another automatic run, so a failing playbook cannot loop.
import type { z } from 'zod';
import { selectPlaybook } from '../core/playbook-selection.ts';
import type { remediationMaterialiseJob } from '../queues/remediation-materialise.ts';
import { listQuarantinePlaybooks } from '../sql/remediation-playbooks.ts';
import { REMEDIATION_TOPIC, RUN_SKIPPED_EVENT } from '../sql/remediation-events.ts';
import { createRun } from '../sql/remediation-run-actions.ts';
import { transact, type Db } from '../sql/transact.ts';
import { findVmInstance } from '../sql/vm-instances.ts';

interface QuarantineRow {
  id: number;
  lifecycle_state: string;
  previous_lifecycle_state: string | null;
  trigger: string;
  actor: string | null;
  verifier: string | null;
  evidence_digest: string | null;
  report_reference: string | null;
  reason: string | null;
  current_state: string;
}

export const QUARANTINE_REQUESTER = 'trust-fabric';

export function createRemediationMaterialiseHandler(deps: { db: Db; approvalTtlSeconds: number }) {
  return async (data: z.infer<typeof remediationMaterialiseJob>) =>
    transact(deps.db, async (uow) => {
      const { tx } = uow;
      const [history] = await tx<QuarantineRow[]>`
        SELECT h.id, h.lifecycle_state, h.previous_lifecycle_state, h.trigger, h.actor, h.verifier, h.evidence_digest,
               h.report_reference, h.reason, r.lifecycle_state AS current_state
        FROM runtime_vm_trust_history h JOIN runtime_vm_trust_registry r ON r.vm_instance_id = h.vm_instance_id
        WHERE h.id = ${data.history_id} AND h.vm_instance_id = ${data.vm_instance_id} AND h.owner_id = ${data.owner_id}`;
      if (history === undefined) return { skipped: 'unknown-history' };
      const entered = history.lifecycle_state === 'quarantined' && history.previous_lifecycle_state !== 'quarantined';
      if (!entered || history.trigger === 'remediation') return { skipped: 'not-a-quarantine' };
      if (history.current_state !== 'quarantined') return { skipped: 'no-longer-quarantined' };
      const instance = await findVmInstance(tx, data.owner_id, data.vm_instance_id);
      if (instance === undefined) return { skipped: 'instance-gone' };
      if (instance.terminated_at !== null) {
        // Not silent: the owner's remediation stream says why no run was made (the instance's launch failed or it
        // was stopped after the quarantine). The API refuses a manual run on it with instance-terminated.
        const payload = { vm_instance_id: instance.id, history_id: history.id, reason: 'instance-terminated', instance_status: instance.status };
        uow.emit({ topic: REMEDIATION_TOPIC, owner_id: data.owner_id, subject_id: `instance-${instance.id}`, event: RUN_SKIPPED_EVENT, payload }, `materialise-skip-${history.id}`);
        return { skipped: 'instance-terminated' };
      }
      const playbook = selectPlaybook(await listQuarantinePlaybooks(tx, data.owner_id), instance);
      if (playbook === undefined) return { skipped: 'no-playbook-selected' };
      const provenance = {
        history_id: history.id,
        trigger: history.trigger,
        actor: history.actor,
        verifier: history.verifier,
        evidence_digest: history.evidence_digest,
        report_reference: history.report_reference,
        reason: history.reason,
      };
      const run = await createRun(
        uow,
        {
          ownerId: data.owner_id,
          vmInstanceId: data.vm_instance_id,
          playbook,
          requestedBy: QUARANTINE_REQUESTER,
          trigger: 'quarantine',
          metadata: { provenance, selected_by: 'catalog-selector' },
          sourceHistoryId: history.id,
          approvalTtlSeconds: deps.approvalTtlSeconds,
        },
        'skip',
      );
      return run ? { run_id: run.id, playbook_id: playbook.id } : { skipped: 'active-run-exists' };
    });
}
