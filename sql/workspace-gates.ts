// Gate writes on a workspace revision: lock and version-check the pair, apply events through the revision state
// machine (core/workspace-revision.ts), write workspace and revision in one guarded statement, append the immutable
// snapshot, and emit the change on the workspace topic in the same transaction.
import { AppError } from '../core/errors.ts';
import type { Bindings } from '../core/workspace-bindings.ts';
import type { GateName, GateStatus } from '../core/workspace-gate.ts';
import { applyRevisionEvent, type RevisionEvent, type RevisionSnapshot } from '../core/workspace-revision.ts';
import type { Queryable } from './db.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { getRevision, getWorkspace, workspaceConflict, type RevisionRow, type WorkspaceRow } from './workspaces.ts';

export const WORKSPACE_TOPIC = 'remediation-workspace' as const;

export interface Expected {
  workspace: number;
  revision: number;
}

export interface GatePair {
  workspace: WorkspaceRow;
  revision: RevisionRow;
}

/** Lock a workspace and one of its revisions, and check the versions the caller read (409 names both). */
export async function lockPair(sql: Queryable, ownerId: string, id: number, revisionId: number, expected: Expected): Promise<GatePair> {
  const workspace = await getWorkspace(sql, ownerId, id, true);
  const revision = await getRevision(sql, workspace, revisionId, true);
  const extras = { current_revision_version: revision.version };
  if (workspace.version !== expected.workspace) throw workspaceConflict(workspace, expected.workspace, extras);
  if (revision.version !== expected.revision) {
    throw new AppError('version-conflict', `revision ${revision.id} is at version ${revision.version}, not ${expected.revision}`, {
      extras: { current_version: workspace.version, ...extras },
    });
  }
  return { workspace, revision };
}

export const snapshotOf = (revision: RevisionRow): RevisionSnapshot => ({
  state: revision.state,
  gates: { schema: revision.schema_status, policy: revision.policy_status, simulation: revision.simulation_status, promotion: revision.promotion_status },
});

/** Apply `events` in order; any refusal is a 409 invalid-state and nothing is written. */
export function stepRevision(revision: RevisionRow, events: RevisionEvent[]): RevisionSnapshot {
  let current = snapshotOf(revision);
  for (const event of events) {
    const step = applyRevisionEvent(current, event);
    if (!step.ok) throw new AppError('invalid-state', `revision ${revision.id}: ${step.reason}`, { extras: { state: current.state, gates: current.gates } });
    current = step.next;
  }
  return current;
}

export type RevisionPatch = Partial<Omit<RevisionRow, 'id' | 'workspace_id' | 'version' | 'created_at' | 'updated_at'>>;

const jsonColumns = new Set(['plan', 'targets', 'schema_errors', 'policy_veto_reasons', 'lineage_labels', 'metadata']);

/**
 * Write the workspace and the revision in one statement, each guarded by the version the caller read; both bump.
 * A miss on either (a concurrent writer got in first) fails the statement's caller with a 409.
 */
export async function writePair(sql: Queryable, pair: GatePair, next: RevisionSnapshot, patch: RevisionPatch, lifecycle?: WorkspaceRow['lifecycle_state']): Promise<GatePair> {
  const values: Record<string, unknown> = {
    ...patch,
    state: next.state,
    schema_status: next.gates.schema,
    policy_status: next.gates.policy,
    simulation_status: next.gates.simulation,
    promotion_status: next.gates.promotion,
  };
  for (const key of Object.keys(values)) if (jsonColumns.has(key)) values[key] = sql.json(values[key] as never);
  const [row] = await sql<{ workspace: WorkspaceRow | null; revision: RevisionRow | null }[]>`
    WITH w AS (
      UPDATE runtime_vm_remediation_workspaces SET version = version + 1, updated_at = now(),
        lifecycle_state = coalesce(${lifecycle ?? null}, lifecycle_state)
      WHERE id = ${pair.workspace.id} AND version = ${pair.workspace.version}
      RETURNING *
    ), r AS (
      UPDATE runtime_vm_remediation_workspace_revisions SET ${sql(values, ...Object.keys(values))}, version = version + 1, updated_at = now()
      WHERE id = ${pair.revision.id} AND version = ${pair.revision.version} AND workspace_id IN (SELECT id FROM w)
      RETURNING *
    )
    SELECT (SELECT row_to_json(w) FROM w) AS workspace, (SELECT row_to_json(r) FROM r) AS revision`;
  if (!row?.workspace || !row.revision) throw workspaceConflict(pair.workspace, pair.workspace.version);
  return { workspace: row.workspace, revision: row.revision };
}

export interface NewSnapshot {
  gate: GateName;
  status: GateStatus;
  bindings: Bindings;
  decisionId?: string;
  rules?: unknown[];
  errors?: unknown[];
  gateContext?: Record<string, unknown>;
  notes?: unknown[];
  sandboxExecutionId?: number;
  recordedBy: string;
}

export interface SnapshotRow {
  id: number;
  workspace_id: number;
  revision_id: number;
  snapshot_type: GateName;
  status: GateStatus;
  plan_sha256: string;
  playbook_version: number | null;
  registry_versions: Record<string, number>;
  decision_id: string | null;
  rules: unknown[];
  errors: unknown[];
  gate_context: Record<string, unknown>;
  notes: unknown[];
  sandbox_execution_id: number | null;
  recorded_by: string;
  recorded_at: Date;
}

export async function insertSnapshot(sql: Queryable, revision: Pick<RevisionRow, 'id' | 'workspace_id'>, input: NewSnapshot): Promise<SnapshotRow> {
  const [row] = await sql<SnapshotRow[]>`
    INSERT INTO runtime_vm_remediation_workspace_validation_snapshots
      (workspace_id, revision_id, snapshot_type, status, plan_sha256, playbook_version, registry_versions, decision_id, rules, errors,
       gate_context, notes, sandbox_execution_id, recorded_by)
    VALUES (${revision.workspace_id}, ${revision.id}, ${input.gate}, ${input.status}, ${input.bindings.plan_sha256},
      ${input.bindings.playbook_version}, ${sql.json(input.bindings.registry_versions)}, ${input.decisionId ?? null},
      ${sql.json((input.rules ?? []) as never)}, ${sql.json((input.errors ?? []) as never)}, ${sql.json((input.gateContext ?? {}) as never)},
      ${sql.json((input.notes ?? []) as never)}, ${input.sandboxExecutionId ?? null}, ${input.recordedBy})
    RETURNING *`;
  return row!;
}

export async function listSnapshots(sql: Queryable, workspaceId: number): Promise<SnapshotRow[]> {
  return sql<SnapshotRow[]>`
    SELECT * FROM runtime_vm_remediation_workspace_validation_snapshots WHERE workspace_id = ${workspaceId} ORDER BY id`;
}

/** The newest snapshot of each gate of a revision (what a promotion re-checks). */
export async function latestSnapshots(sql: Queryable, revisionId: number): Promise<SnapshotRow[]> {
  return sql<SnapshotRow[]>`
    SELECT DISTINCT ON (snapshot_type) * FROM runtime_vm_remediation_workspace_validation_snapshots
    WHERE revision_id = ${revisionId} ORDER BY snapshot_type, id DESC`;
}

/** Workspace and gate changes on their own topic, in commit order (appended in the writer's transaction). */
export function emitWorkspaceEvent(uow: UnitOfWork, pair: GatePair, event: string, extra: Record<string, unknown> = {}): void {
  const { workspace, revision } = pair;
  uow.emit({
    topic: WORKSPACE_TOPIC,
    owner_id: workspace.owner_id,
    subject_id: String(workspace.id),
    event,
    payload: {
      workspace_id: workspace.id,
      workspace_version: workspace.version,
      lifecycle_state: workspace.lifecycle_state,
      revision_id: revision.id,
      revision_number: revision.revision_number,
      revision_version: revision.version,
      state: revision.state,
      gates: snapshotOf(revision).gates,
      ...extra,
    },
  });
}
