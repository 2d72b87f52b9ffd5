// What the `mcpctl remediation workspaces` commands share: the path, table columns, the flags of a gate write
// (revision, workspace and revision versions), and the rows they render.
import * as t from 'typanion';
import { requiredFlag } from '../../../flags.ts';

export const workspacesPath = '/api/trust/remediation/workspaces';

export const workspaceColumns = ['id', 'workspace_key', 'lifecycle_state', 'revision', 'state', 'schema', 'policy', 'simulation', 'promotion', 'awaiting', 'version'];
export const revisionColumns = ['id', 'revision_number', 'state', 'schema_status', 'policy_status', 'simulation_status', 'promotion_status', 'version'];

export const revisionFlag = () => requiredFlag('--revision', { validator: t.isNumber(), placeholder: 'id', description: 'The revision id the gate judges' });
export const workspaceVersionFlag = () => requiredFlag('--workspace-version', { validator: t.isNumber(), description: 'The workspace version you read (stale: 409)' });
export const revisionVersionFlag = () => requiredFlag('--revision-version', { validator: t.isNumber(), description: 'The revision version you read (stale: 409)' });

export const splitList = (raw: string | undefined): string[] | undefined => (raw === undefined ? undefined : raw.split(',').map((item) => item.trim()).filter(Boolean));
export const splitIds = (raw: string | undefined): number[] | undefined => splitList(raw)?.map(Number);

/** The ETag a write answered, as the workspace version the next write sends. */
export const etagVersion = (headers: Headers): number | null => {
  const value = headers.get('etag');
  return value === null ? null : Number(value.replace(/^W\//, '').replaceAll('"', ''));
};

interface Envelope {
  revision: Record<string, unknown>;
  awaiting: string | null;
}

export function summaryRow(item: { workspace: Record<string, unknown>; active_revision: Envelope | null }): Record<string, unknown> {
  const revision = item.active_revision?.revision ?? {};
  return {
    ...item.workspace,
    revision: revision.revision_number,
    state: revision.state,
    schema: revision.schema_status,
    policy: revision.policy_status,
    simulation: revision.simulation_status,
    promotion: revision.promotion_status,
    awaiting: item.active_revision?.awaiting ?? null,
  };
}

export interface PromotionRun {
  runtime_vm_instance_id: number;
  phase: string;
  remediation_run_id: number | null;
  promotion_gate_context: Record<string, unknown>;
  trust_posture: Record<string, unknown>;
  automation_payload: Record<string, unknown>;
  refusal_reason: string | null;
  notes: unknown[];
}

/** One line per target of the seed's "Automation status" table: lane/stage, trust posture, automation, notes. */
export function automationRows(runs: PromotionRun[]): Record<string, unknown>[] {
  return runs.map((run) => ({
    instance: run.runtime_vm_instance_id,
    lane: `${String(run.promotion_gate_context.lane ?? '-')}/${String(run.promotion_gate_context.stage ?? '-')}`,
    phase: run.phase,
    run: run.remediation_run_id ?? '-',
    trust: run.trust_posture.lifecycle_state === undefined ? '-' : `${String(run.trust_posture.lifecycle_state)}/${String(run.trust_posture.attestation_status)}`,
    automation: run.automation_payload.playbook_key === undefined ? '-' : `${String(run.automation_payload.playbook_key)}@v${String(run.automation_payload.playbook_version)} (${String(run.automation_payload.executor_type)})`,
    notes: run.refusal_reason ?? (run.notes.length > 0 ? run.notes.join('; ') : '-'),
  }));
}

export const automationColumns = ['instance', 'lane', 'phase', 'run', 'trust', 'automation', 'notes'];
