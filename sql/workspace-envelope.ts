// Reads a workspace as its envelope: the workspace, every revision with what is legal now, gate summaries of the
// active revision, sandbox executions, snapshots, and promotions with their per-target runs.
import { validationGates, type GateName } from '../core/workspace-gate.ts';
import { revisionStatus } from '../core/workspace-revision.ts';
import type { Queryable, Sql } from './db.ts';
import { listPromotions } from './workspace-promotions.ts';
import { listSandboxExecutions } from './workspace-sandbox.ts';
import { listSnapshots, snapshotOf, type SnapshotRow } from './workspace-gates.ts';
import { getWorkspace, listRevisions, listWorkspaces, type RevisionRow, type WorkspaceRow } from './workspaces.ts';

export const revisionEnvelope = (revision: RevisionRow) => ({ revision, ...revisionStatus(snapshotOf(revision)) });

function gateSummaries(revision: RevisionRow | undefined, snapshots: SnapshotRow[]) {
  if (revision === undefined) return [];
  const gates: GateName[] = [...validationGates, 'promotion'];
  return gates.map((gate) => {
    const latest = snapshots.filter((row) => row.revision_id === revision.id && row.snapshot_type === gate).at(-1);
    return { gate, status: snapshotOf(revision).gates[gate], snapshot_id: latest?.id ?? null, recorded_at: latest?.recorded_at ?? null };
  });
}

/** One repeatable-read snapshot: a job's commit lands wholly before or after it, never between two of its reads. */
export async function loadEnvelope(pool: Sql, ownerId: string, id: number) {
  return pool.begin('isolation level repeatable read read only', (tx) => readEnvelope(tx, ownerId, id)) as Promise<Awaited<ReturnType<typeof readEnvelope>>>;
}

async function readEnvelope(sql: Queryable, ownerId: string, id: number) {
  const workspace = await getWorkspace(sql, ownerId, id);
  const revisions = await listRevisions(sql, [id]);
  const snapshots = await listSnapshots(sql, id);
  const sandbox = await listSandboxExecutions(sql, id);
  const promotions = await listPromotions(sql, id);
  const active = revisions.find((row) => row.id === workspace.active_revision_id);
  return {
    workspace,
    revisions: revisions.map(revisionEnvelope),
    gate_summaries: gateSummaries(active, snapshots),
    sandbox_executions: sandbox,
    snapshots,
    promotions,
  };
}

export async function listWorkspaceSummaries(sql: Queryable, ownerId: string, options: { limit: number; before?: number }) {
  const rows: WorkspaceRow[] = await listWorkspaces(sql, ownerId, options);
  const revisions = await listRevisions(sql, rows.map((row) => row.id));
  const byId = new Map(revisions.map((row) => [row.id, row]));
  return rows.map((workspace) => {
    const active = workspace.active_revision_id === null ? undefined : byId.get(workspace.active_revision_id);
    return { id: workspace.id, workspace, active_revision: active === undefined ? null : revisionEnvelope(active) };
  });
}
