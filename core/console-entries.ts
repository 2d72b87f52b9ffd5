// Assembles the console's per-workspace entries from the rows of its windowed reads: durations, the retry ledger,
// manual overrides, artifact provenance and fingerprints. Pure: the same rows give the same JSON, byte for byte.
import { createHash } from 'node:crypto';
import type { ConsoleEntry, ConsoleRun } from './schemas/console.ts';

type Row = Record<string, unknown>;

export interface EntryRows {
  workspaces: Row[];
  snapshots: Row[];
  runs: Row[];
  attempts: Row[];
  trust: Row[];
  scores: Row[];
  builds: Row[];
  promotionRuns: Row[];
  promotions: Row[];
}

const iso = (value: unknown): string => new Date(value as string | Date).toISOString();
const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function groupBy(rows: Row[], key: string): Map<unknown, Row[]> {
  const groups = new Map<unknown, Row[]>();
  for (const row of rows) {
    const list = groups.get(row[key]) ?? [];
    list.push(row);
    groups.set(row[key], list);
  }
  return groups;
}

/** Canonical JSON: keys sorted at every depth, so equal values hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Row).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 over the manifest and track attributes of a build: what was built, for which track. */
export function artifactFingerprint(artifact: { manifest_digest: string; manifest_tag: string | null; registry_image: string | null; track_name: string | null; track_tier: string | null }): string {
  const { manifest_digest, manifest_tag, registry_image, track_name, track_tier } = artifact;
  return createHash('sha256').update(canonicalJson({ manifest_digest, manifest_tag, registry_image, track_name, track_tier })).digest('hex');
}

function gateContext(metadata: Row): Row {
  const context = metadata.promotion_gate_context ?? metadata.gate_context;
  return context !== null && typeof context === 'object' ? (context as Row) : {};
}

function manualOverride(run: Row): ConsoleRun['manual_override'] {
  const metadata = run.metadata as Row;
  if (run.approval_state === 'approved' && typeof run.approved_by === 'string') {
    return { kind: 'approval', reason: str(run.approval_note), actor_id: run.approved_by, actor_email: str(metadata.approved_by_email) };
  }
  if (typeof run.cancelled_by === 'string') {
    return { kind: 'cancellation', reason: str(run.cancellation_reason), actor_id: run.cancelled_by, actor_email: str(metadata.cancelled_by_email) };
  }
  return null;
}

function assembleRun(run: Row, rows: { attempts: Row[]; trust: Row | undefined; scores: Row[]; builds: Row[] }): ConsoleRun {
  const started = isoOrNull(run.started_at);
  const completed = isoOrNull(run.completed_at);
  const ms = started !== null && completed !== null ? Date.parse(completed) - Date.parse(started) : null;
  const metadata = run.metadata as Row;
  const context = gateContext(metadata);
  const artifacts = rows.builds.map((build) => {
    const buildMeta = build.metadata as Row;
    return {
      build_id: build.id as number,
      manifest_digest: build.manifest_digest as string,
      lane: str(context.lane),
      stage: str(context.stage),
      track_name: str(buildMeta.track_name),
      track_tier: str(buildMeta.track_tier),
      manifest_tag: str(build.manifest_tag),
      registry_image: str(build.registry_image),
      status: build.status as string,
      completed_at: isoOrNull(build.completed_at),
      duration_seconds: (build.duration_seconds as number | null) ?? null,
    };
  });
  const latest = rows.builds[0];
  const trust = rows.trust;
  const override = manualOverride(run);
  // The promotion that staged the run governs it; a run requested by hand may name its verdict in metadata.
  const verdict = run.verdict ?? metadata.promotion_verdict;
  return {
    run: {
      id: run.id as number,
      status: run.status as string,
      approval_state: run.approval_state as string,
      playbook: run.playbook_key as string,
      vm_instance_id: run.vm_instance_id as number,
      version: run.version as number,
      created_at: iso(run.created_at),
    },
    trust:
      trust === undefined
        ? null
        : {
            vm_instance_id: trust.vm_instance_id as number,
            server_id: trust.server_id as number,
            attestation_status: trust.attestation_status as string,
            lifecycle_state: trust.lifecycle_state as string,
            remediation_state: str(trust.remediation_state),
            version: trust.version as number,
            updated_at: iso(trust.updated_at),
          },
    intelligence: rows.scores.map((score) => ({ capability: score.capability as string, score: score.score as number, notes: score.notes, computed_at: iso(score.computed_at) })),
    marketplace:
      latest === undefined
        ? null
        : {
            server_id: latest.server_id as number,
            status: latest.status as string,
            manifest_digest: latest.manifest_digest as string,
            manifest_tag: str(latest.manifest_tag),
            registry_image: str(latest.registry_image),
            build_duration_seconds: (latest.duration_seconds as number | null) ?? null,
            last_completed_at: isoOrNull(latest.completed_at),
          },
    duration_seconds: ms === null ? null : Math.round(ms / 1000),
    duration_ms: ms,
    execution_window: { started_at: started, completed_at: completed },
    retry_attempt: run.attempt as number,
    retry_limit: run.retry_limit as number,
    retry_count: rows.attempts.length,
    retry_ledger: rows.attempts.map((attempt) => ({
      attempt: attempt.attempt as number,
      status: attempt.status as string,
      observed_at: iso(attempt.observed_at),
      failure_reason: str(attempt.failure_reason),
    })),
    override_reason: override?.reason ?? null,
    manual_override: override,
    artifacts,
    artifact_fingerprints: artifacts.map((artifact) => ({ manifest_digest: artifact.manifest_digest, fingerprint: artifactFingerprint(artifact) })),
    promotion_verdict: verdict !== null && typeof verdict === 'object' && !Array.isArray(verdict) ? (verdict as Record<string, unknown>) : null,
  };
}

function promotionRunSlice(row: Row): ConsoleEntry['promotion_runs'][number] {
  return {
    id: row.id as number,
    promotion_id: row.promotion_id as number,
    run_id: (row.remediation_run_id as number | null) ?? null,
    vm_instance_id: (row.runtime_vm_instance_id as number | null) ?? null,
    status: row.phase as string,
    playbook: str(row.playbook_key),
    automation_payload: row.automation_payload,
    promotion_gate_context: row.promotion_gate_context,
    metadata: { ...(row.metadata as Row), notes: row.notes },
  };
}

/** A promotion's persisted posture verdict, flattened: allowed, veto reasons, blended signals, hooks, track/stage. */
function promotionPosture(row: Row): ConsoleEntry['promotion_postures'][number] {
  const verdict = (row.posture_verdict ?? {}) as Row;
  return {
    promotion_id: row.id as number,
    status: row.status as string,
    allowed: typeof verdict.allowed === 'boolean' ? verdict.allowed : null,
    veto_reasons: verdict.veto_reasons ?? [],
    signals: verdict.signals ?? {},
    remediation_hooks: verdict.remediation_hooks ?? [],
    track_name: str(row.track_name),
    track_tier: str(row.track_tier),
    stage: str(row.stage),
    updated_at: iso(row.updated_at),
  };
}

export function assembleEntries(rows: EntryRows): ConsoleEntry[] {
  const snapshots = groupBy(rows.snapshots, 'revision_id');
  const runs = groupBy(rows.runs, 'workspace_id');
  const attempts = groupBy(rows.attempts, 'run_id');
  const trust = new Map(rows.trust.map((row) => [row.vm_instance_id, row]));
  const scores = groupBy(rows.scores, 'server_id');
  const builds = groupBy(rows.builds, 'server_id');
  const promotionRuns = groupBy(rows.promotionRuns, 'workspace_id');
  const promotions = groupBy(rows.promotions, 'workspace_id');
  return rows.workspaces.map((row) => {
    const revision = row.active_revision as Row | null;
    return {
      workspace: {
        id: row.id as number,
        owner_id: row.owner_id as string,
        workspace_key: row.workspace_key as string,
        display_name: row.display_name as string,
        lifecycle_state: row.lifecycle_state as string,
        lineage_tags: row.lineage_tags,
        active_revision_id: (row.active_revision_id as number | null) ?? null,
        version: row.version as number,
        updated_at: iso(row.updated_at),
      },
      active_revision:
        revision === null
          ? null
          : {
              id: revision.id as number,
              revision_number: revision.revision_number as number,
              schema_status: revision.schema_status as string,
              policy_status: revision.policy_status as string,
              simulation_status: revision.simulation_status as string,
              promotion_status: revision.promotion_status as string,
              lineage_labels: revision.lineage_labels,
              version: revision.version as number,
              updated_at: iso(revision.updated_at),
              gate_snapshots: (snapshots.get(revision.id) ?? []).map((snapshot) => ({
                id: snapshot.id as number,
                snapshot_type: snapshot.snapshot_type as string,
                gate_context: snapshot.gate_context,
                notes: snapshot.notes,
                recorded_by: snapshot.recorded_by as string,
                recorded_at: iso(snapshot.recorded_at),
              })),
            },
      promotion_runs: (promotionRuns.get(row.id) ?? []).map(promotionRunSlice),
      promotion_postures: (promotions.get(row.id) ?? []).map(promotionPosture),
      recent_runs: (runs.get(row.id) ?? []).map((run) =>
        assembleRun(run, {
          attempts: attempts.get(run.id) ?? [],
          trust: trust.get(run.vm_instance_id),
          scores: scores.get(run.server_id) ?? [],
          builds: builds.get(run.server_id) ?? [],
        }),
      ),
    };
  });
}
