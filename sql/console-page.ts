// The lifecycle console's reads: one windowed statement per table for a whole page of workspaces, whatever its
// size (workspaces with their active revision, gate snapshots, runs, attempts, trust, scores, builds).
import { assembleEntries } from '../core/console-entries.ts';
import type { ConsoleEntry } from '../core/schemas/console.ts';
import type { Queryable } from './db.ts';

/** What selects the workspaces of a page; `ownerId` is always the caller's own tenant. */
export interface ConsoleSelection {
  ownerId: string;
  afterId: number;
  limit: number;
  lifecycleState?: string | undefined;
  workspaceKey?: string | undefined;
  /** Only these workspaces (the console-project job's marked ones). */
  workspaceIds?: number[] | undefined;
  runLimit: number;
}

/** Builds the provenance list of a run: this many latest builds of its server. */
export const BUILDS_PER_SERVER = 5;
/** Latest promotions (postures) and promotion target rows per workspace. */
export const PROMOTIONS_PER_WORKSPACE = 10;
export const PROMOTION_RUNS_PER_WORKSPACE = 20;

export async function readWorkspaceRows(sql: Queryable, selection: ConsoleSelection) {
  return sql<Record<string, unknown>[]>`
    SELECT w.id, w.owner_id, w.workspace_key, w.display_name, w.lifecycle_state, w.lineage_tags, w.active_revision_id,
      w.version, w.updated_at,
      CASE WHEN r.id IS NULL THEN NULL ELSE jsonb_build_object(
        'id', r.id, 'revision_number', r.revision_number, 'schema_status', r.schema_status, 'policy_status', r.policy_status,
        'simulation_status', r.simulation_status, 'promotion_status', r.promotion_status, 'lineage_labels', r.lineage_labels,
        'version', r.version, 'updated_at', r.updated_at) END AS active_revision
    FROM runtime_vm_remediation_workspaces w
    LEFT JOIN runtime_vm_remediation_workspace_revisions r ON r.id = w.active_revision_id
    WHERE w.owner_id = ${selection.ownerId} AND w.id > ${selection.afterId}
      ${selection.lifecycleState === undefined ? sql`` : sql`AND w.lifecycle_state = ${selection.lifecycleState}`}
      ${selection.workspaceKey === undefined ? sql`` : sql`AND w.workspace_key = ${selection.workspaceKey}`}
      ${selection.workspaceIds === undefined ? sql`` : sql`AND w.id = ANY(${selection.workspaceIds}::bigint[])`}
    ORDER BY w.id
    LIMIT ${selection.limit}`;
}

/** The rest of a page, for the workspaces already read: eight statements, each over every workspace at once. */
export async function readPageDetails(sql: Queryable, ownerId: string, workspaceIds: number[], revisionIds: number[], runLimit: number) {
  // Latest snapshot of each gate type per active revision.
  const snapshots = await sql<Record<string, unknown>[]>`
    SELECT DISTINCT ON (revision_id, snapshot_type) id, revision_id, snapshot_type, gate_context, notes, recorded_by, recorded_at
    FROM runtime_vm_remediation_workspace_validation_snapshots
    WHERE revision_id = ANY(${revisionIds}::bigint[])
    ORDER BY revision_id, snapshot_type, id DESC`;
  const runs = await sql<Record<string, unknown>[]>`
    SELECT * FROM (
      SELECT l.workspace_id, r.id, r.vm_instance_id, r.status, r.approval_state, r.approved_by, r.approval_note, r.cancelled_by,
        r.cancellation_reason, r.attempt, r.retry_limit, r.started_at, r.completed_at, r.metadata, r.version, r.created_at,
        p.playbook_key, i.server_id, verdict.verdict,
        row_number() OVER (PARTITION BY l.workspace_id ORDER BY r.id DESC) AS rank
      FROM lifecycle_console_workspace_runs l
      JOIN runtime_vm_remediation_runs r ON r.id = l.run_id
      JOIN runtime_vm_remediation_playbooks p ON p.id = r.playbook_id
      JOIN runtime_vm_instances i ON i.id = r.vm_instance_id
      LEFT JOIN LATERAL (
        SELECT jsonb_build_object('verdict_id', pr.promotion_id, 'promotion_run_id', pr.id, 'allowed', pr.posture_verdict->'allowed',
          'stage', coalesce(pr.posture_verdict->>'stage', pm.stage), 'track_name', coalesce(pr.posture_verdict->>'track_name', pm.track_name),
          'track_tier', coalesce(pr.posture_verdict->>'track_tier', pm.track_tier), 'veto_reasons', coalesce(pr.posture_verdict->'veto_reasons', '[]'::jsonb)) AS verdict
        FROM runtime_vm_remediation_promotion_runs pr JOIN runtime_vm_remediation_promotions pm ON pm.id = pr.promotion_id
        WHERE pr.remediation_run_id = r.id ORDER BY pr.id DESC LIMIT 1
      ) verdict ON true
      WHERE l.workspace_id = ANY(${workspaceIds}::bigint[]) AND r.owner_id = ${ownerId}
    ) ranked
    WHERE rank <= ${runLimit}
    ORDER BY workspace_id, id DESC`;
  const runIds = runs.map((run) => run.id as number);
  const instanceIds = [...new Set(runs.map((run) => run.vm_instance_id as number))];
  const serverIds = [...new Set(runs.map((run) => run.server_id as number))];
  const attempts = await sql<Record<string, unknown>[]>`
    SELECT run_id, attempt, status, failure_reason, coalesce(finished_at, started_at) AS observed_at
    FROM runtime_vm_remediation_attempts WHERE run_id = ANY(${runIds}::bigint[]) ORDER BY run_id, attempt`;
  const trust = await sql<Record<string, unknown>[]>`
    SELECT vm_instance_id, server_id, attestation_status, lifecycle_state, remediation_state, version, updated_at
    FROM runtime_vm_trust_registry WHERE owner_id = ${ownerId} AND vm_instance_id = ANY(${instanceIds}::bigint[])`;
  const scores = await sql<Record<string, unknown>[]>`
    SELECT server_id, capability, score::float8 AS score, notes, computed_at
    FROM capability_intelligence_scores WHERE owner_id = ${ownerId} AND server_id = ANY(${serverIds}::bigint[])
    ORDER BY server_id, capability`;
  const builds = await sql<Record<string, unknown>[]>`
    SELECT * FROM (
      SELECT id, server_id, manifest_digest, manifest_tag, registry_image, status, completed_at, duration_seconds, metadata,
        row_number() OVER (PARTITION BY server_id ORDER BY id DESC) AS rank
      FROM build_artifact_runs WHERE owner_id = ${ownerId} AND server_id = ANY(${serverIds}::bigint[])
    ) ranked
    WHERE rank <= ${BUILDS_PER_SERVER}
    ORDER BY server_id, id DESC`;
  const promotionRuns = await sql<Record<string, unknown>[]>`
    SELECT * FROM (
      SELECT pr.id, pr.promotion_id, pr.workspace_id, pr.remediation_run_id, pr.runtime_vm_instance_id, pr.phase, p.playbook_key,
        pr.automation_payload, pr.promotion_gate_context, pr.metadata, pr.notes,
        row_number() OVER (PARTITION BY pr.workspace_id ORDER BY pr.id DESC) AS rank
      FROM runtime_vm_remediation_promotion_runs pr JOIN runtime_vm_remediation_playbooks p ON p.id = pr.playbook_id
      WHERE pr.workspace_id = ANY(${workspaceIds}::bigint[]) AND pr.owner_id = ${ownerId}
    ) ranked
    WHERE rank <= ${PROMOTION_RUNS_PER_WORKSPACE}
    ORDER BY workspace_id, id`;
  const promotions = await sql<Record<string, unknown>[]>`
    SELECT * FROM (
      SELECT id, workspace_id, status, posture_verdict, track_name, track_tier, stage, updated_at,
        row_number() OVER (PARTITION BY workspace_id ORDER BY id DESC) AS rank
      FROM runtime_vm_remediation_promotions
      WHERE workspace_id = ANY(${workspaceIds}::bigint[]) AND owner_id = ${ownerId}
    ) ranked
    WHERE rank <= ${PROMOTIONS_PER_WORKSPACE}
    ORDER BY workspace_id, id`;
  return { snapshots, runs, attempts, trust, scores, builds, promotionRuns, promotions };
}

/** One page of the console: `limit` workspaces after the cursor, each with its details; nine statements. */
export async function readConsolePage(sql: Queryable, selection: ConsoleSelection): Promise<{ entries: ConsoleEntry[]; nextAfterId: number | null }> {
  const found = await readWorkspaceRows(sql, { ...selection, limit: selection.limit + 1 });
  const workspaces = found.slice(0, selection.limit);
  const workspaceIds = workspaces.map((row) => row.id as number);
  const revisionIds = workspaces.flatMap((row) => (row.active_revision_id === null ? [] : [row.active_revision_id as number]));
  const details = await readPageDetails(sql, selection.ownerId, workspaceIds, revisionIds, selection.runLimit);
  const entries = assembleEntries({ workspaces, ...details });
  return { entries, nextAfterId: found.length > selection.limit ? (workspaceIds.at(-1) ?? null) : null };
}

export async function findWorkspaceId(sql: Queryable, ownerId: string, workspaceKey: string): Promise<number | undefined> {
  const [row] = await sql<{ id: number }[]>`SELECT id FROM runtime_vm_remediation_workspaces WHERE owner_id = ${ownerId} AND workspace_key = ${workspaceKey}`;
  return row?.id;
}
