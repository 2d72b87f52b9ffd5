// runtime_vm_remediation_workspaces and their revisions: creation (seeding revision 1), owner-scoped reads, and
// appending a revision under the caller's expected workspace version (the previous revision is superseded).
import { planDigest } from '../core/canonical-plan.ts';
import { AppError } from '../core/errors.ts';
import type { ExecutorType } from '../core/remediation-plan.ts';
import type { GateStatus } from '../core/workspace-gate.ts';
import type { RevisionState } from '../core/workspace-revision.ts';
import type { Queryable } from './db.ts';

export interface WorkspaceRow {
  id: number;
  owner_id: string;
  workspace_key: string;
  display_name: string;
  description: string;
  lifecycle_state: 'draft' | 'promoting' | 'promoted' | 'abandoned';
  lineage_tags: string[];
  active_revision_id: number | null;
  playbook_id: number | null;
  executor_type: ExecutorType | null;
  metadata: Record<string, unknown>;
  version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface RevisionRow {
  id: number;
  workspace_id: number;
  revision_number: number;
  previous_revision_id: number | null;
  created_by: string;
  state: RevisionState;
  plan: Record<string, unknown>;
  plan_sha256: string;
  base_playbook_version: number | null;
  targets: number[];
  allow_unsimulated: boolean;
  schema_status: GateStatus;
  policy_status: GateStatus;
  simulation_status: GateStatus;
  promotion_status: GateStatus;
  schema_errors: unknown[];
  policy_veto_reasons: unknown[];
  policy_decision_id: string | null;
  policy_overridden_by: string | null;
  policy_override_reason: string | null;
  policy_overridden_at: Date | null;
  lineage_labels: string[];
  schema_validated_at: Date | null;
  policy_evaluated_at: Date | null;
  simulated_at: Date | null;
  promoted_at: Date | null;
  metadata: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface NewWorkspace {
  ownerId: string;
  actor: string;
  key: string;
  displayName: string;
  description: string;
  playbook: { id: number; version: number; executor_type: ExecutorType };
  lineageTags: string[];
  metadata: Record<string, unknown>;
}

export interface NewRevision {
  plan: Record<string, unknown>;
  targets: number[];
  allowUnsimulated: boolean;
  lineageLabels: string[];
  metadata: Record<string, unknown>;
  basePlaybookVersion: number;
}

/** Insert a workspace and its revision 1 in one statement (the active-revision key is deferred to commit). */
export async function insertWorkspace(sql: Queryable, input: NewWorkspace, first: NewRevision): Promise<{ workspace: WorkspaceRow; revision: RevisionRow }> {
  const [workspace] = await sql<WorkspaceRow[]>`
    INSERT INTO runtime_vm_remediation_workspaces
      (owner_id, workspace_key, display_name, description, lineage_tags, playbook_id, executor_type, metadata, created_by)
    VALUES (${input.ownerId}, ${input.key}, ${input.displayName}, ${input.description}, ${sql.json(input.lineageTags)},
      ${input.playbook.id}, ${input.playbook.executor_type}, ${sql.json(input.metadata as never)}, ${input.actor})
    ON CONFLICT DO NOTHING
    RETURNING *`;
  if (workspace === undefined) throw new AppError('already-exists', `a workspace with key ${input.key} already exists`);
  const revision = await insertRevision(sql, workspace.id, 1, null, input.actor, first);
  const [activated] = await sql<WorkspaceRow[]>`
    UPDATE runtime_vm_remediation_workspaces SET active_revision_id = ${revision.id} WHERE id = ${workspace.id} RETURNING *`;
  return { workspace: activated!, revision };
}

async function insertRevision(sql: Queryable, workspaceId: number, number: number, previous: number | null, actor: string, input: NewRevision): Promise<RevisionRow> {
  const [row] = await sql<RevisionRow[]>`
    INSERT INTO runtime_vm_remediation_workspace_revisions
      (workspace_id, revision_number, previous_revision_id, created_by, plan, plan_sha256, base_playbook_version, targets,
       allow_unsimulated, lineage_labels, metadata)
    VALUES (${workspaceId}, ${number}, ${previous}, ${actor}, ${sql.json(input.plan as never)}, ${planDigest(input.plan)},
      ${input.basePlaybookVersion}, ${sql.json(input.targets)}, ${input.allowUnsimulated}, ${sql.json(input.lineageLabels)},
      ${sql.json(input.metadata as never)})
    RETURNING *`;
  return row!;
}

export async function listWorkspaces(sql: Queryable, ownerId: string, options: { limit: number; before?: number }): Promise<WorkspaceRow[]> {
  return sql<WorkspaceRow[]>`
    SELECT * FROM runtime_vm_remediation_workspaces
    WHERE owner_id = ${ownerId} ${options.before === undefined ? sql`` : sql`AND id < ${options.before}`}
    ORDER BY id DESC
    LIMIT ${options.limit + 1}`;
}

/** Owner-scoped: another owner's workspace is a 404, exactly like a missing one. */
export async function getWorkspace(sql: Queryable, ownerId: string, id: number, lock = false): Promise<WorkspaceRow> {
  const [row] = await sql<WorkspaceRow[]>`
    SELECT * FROM runtime_vm_remediation_workspaces WHERE id = ${id} AND owner_id = ${ownerId} ${lock ? sql`FOR UPDATE` : sql``}`;
  if (row === undefined) throw new AppError('workspace-not-found', `remediation workspace ${id} does not exist`);
  return row;
}

export async function listRevisions(sql: Queryable, workspaceIds: number[]): Promise<RevisionRow[]> {
  return sql<RevisionRow[]>`
    SELECT * FROM runtime_vm_remediation_workspace_revisions WHERE workspace_id = ANY(${workspaceIds}::bigint[]) ORDER BY workspace_id, revision_number`;
}

export async function getRevision(sql: Queryable, workspace: Pick<WorkspaceRow, 'id'>, revisionId: number, lock = false): Promise<RevisionRow> {
  const [row] = await sql<RevisionRow[]>`
    SELECT * FROM runtime_vm_remediation_workspace_revisions WHERE id = ${revisionId} AND workspace_id = ${workspace.id}
    ${lock ? sql`FOR UPDATE` : sql``}`;
  if (row === undefined) throw new AppError('revision-not-found', `revision ${revisionId} of workspace ${workspace.id} does not exist`);
  return row;
}

export function workspaceConflict(workspace: Pick<WorkspaceRow, 'id' | 'version'>, expected: number, extras: Record<string, unknown> = {}): AppError {
  return new AppError('version-conflict', `workspace ${workspace.id} is at version ${workspace.version}, not ${expected}`, {
    extras: { current_version: workspace.version, ...extras },
  });
}

/**
 * Append a revision when the workspace is still at `expectedVersion`: the version check and bump are one UPDATE,
 * so of any number of concurrent appends with the same expected version exactly one wins; the rest answer 409.
 */
export async function appendRevision(sql: Queryable, ownerId: string, id: number, expectedVersion: number, actor: string, input: NewRevision): Promise<{ workspace: WorkspaceRow; revision: RevisionRow }> {
  const [bumped] = await sql<WorkspaceRow[]>`
    UPDATE runtime_vm_remediation_workspaces SET version = version + 1, updated_at = now()
    WHERE id = ${id} AND owner_id = ${ownerId} AND version = ${expectedVersion} AND lifecycle_state IN ('draft', 'promoted')
    RETURNING *`;
  if (bumped === undefined) {
    const current = await getWorkspace(sql, ownerId, id);
    if (current.version !== expectedVersion) throw workspaceConflict(current, expectedVersion);
    throw new AppError('invalid-state', `workspace ${id} is ${current.lifecycle_state}: it takes no new revision`);
  }
  const [previous] = await sql<RevisionRow[]>`
    SELECT * FROM runtime_vm_remediation_workspace_revisions WHERE workspace_id = ${id} ORDER BY revision_number DESC LIMIT 1 FOR UPDATE`;
  const revision = await insertRevision(sql, id, (previous?.revision_number ?? 0) + 1, previous?.id ?? null, actor, input);
  const [workspace] = await sql<WorkspaceRow[]>`
    UPDATE runtime_vm_remediation_workspaces SET active_revision_id = ${revision.id}, lifecycle_state = 'draft' WHERE id = ${id} RETURNING *`;
  return { workspace: workspace!, revision };
}
