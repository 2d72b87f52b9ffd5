// The lifecycle console's payloads: the page (`LifecycleConsolePage`), one entry per workspace, and the stream's
// delta envelope. Entries are plain JSON (timestamps as ISO strings) so a stored projection compares equal.
import { z } from 'zod';
import { cursor } from './common.ts';
import { playbookKey } from './remediation.ts';

const iso = z.string();
const json = z.unknown();

/** A workspace's lifecycle states (the CHECK of migration 0070). */
export const workspaceLifecycleState = z.enum(['draft', 'promoting', 'promoted', 'abandoned']);
/** A workspace key has the shape of a playbook key; a filter naming no workspace of the caller's is a 404. */
export const workspaceKey = playbookKey;

export const consoleStreamQuery = z.object({
  owner_id: z.string().min(1).max(200).optional(),
  workspace_key: workspaceKey.optional(),
  lifecycle_state: workspaceLifecycleState.optional(),
  cursor: z.string().optional(),
  access_token: z.string().optional(),
});

export const consolePageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
  lifecycle_state: workspaceLifecycleState.optional(),
  owner_id: z.string().min(1).max(200).optional(),
  workspace_key: workspaceKey.optional(),
  run_limit: z.coerce.number().int().min(0).max(100).default(10),
});
export type ConsolePageQuery = z.infer<typeof consolePageQuery>;

export const gateSnapshot = z.object({
  id: z.number().int(),
  snapshot_type: z.string(),
  gate_context: json,
  notes: json,
  recorded_by: z.string(),
  recorded_at: iso,
});

export const activeRevision = z.object({
  id: z.number().int(),
  revision_number: z.number().int(),
  schema_status: z.string(),
  policy_status: z.string(),
  simulation_status: z.string(),
  promotion_status: z.string(),
  lineage_labels: json,
  version: z.number().int(),
  updated_at: iso,
  gate_snapshots: z.array(gateSnapshot),
});

export const consoleWorkspace = z.object({
  id: z.number().int(),
  owner_id: z.string(),
  workspace_key: z.string(),
  display_name: z.string(),
  lifecycle_state: z.string(),
  lineage_tags: json,
  active_revision_id: z.number().int().nullable(),
  version: z.number().int(),
  updated_at: iso,
});

export const trustPosture = z.object({
  vm_instance_id: z.number().int(),
  server_id: z.number().int(),
  attestation_status: z.string(),
  lifecycle_state: z.string(),
  remediation_state: z.string().nullable(),
  version: z.number().int(),
  updated_at: iso,
});

export const intelligenceScore = z.object({ capability: z.string(), score: z.number(), notes: json, computed_at: iso });

export const marketplaceReadiness = z.object({
  server_id: z.number().int(),
  status: z.string(),
  manifest_digest: z.string(),
  manifest_tag: z.string().nullable(),
  registry_image: z.string().nullable(),
  build_duration_seconds: z.number().int().nullable(),
  last_completed_at: iso.nullable(),
});

export const artifactProvenance = z.object({
  build_id: z.number().int(),
  manifest_digest: z.string(),
  lane: z.string().nullable(),
  stage: z.string().nullable(),
  track_name: z.string().nullable(),
  track_tier: z.string().nullable(),
  manifest_tag: z.string().nullable(),
  registry_image: z.string().nullable(),
  status: z.string(),
  completed_at: iso.nullable(),
  duration_seconds: z.number().int().nullable(),
});

export const retryLedgerEntry = z.object({ attempt: z.number().int(), status: z.string(), observed_at: iso, failure_reason: z.string().nullable() });

export const consoleRun = z.object({
  run: z.object({
    id: z.number().int(),
    status: z.string(),
    approval_state: z.string(),
    playbook: z.string(),
    vm_instance_id: z.number().int(),
    version: z.number().int(),
    created_at: iso,
  }),
  trust: trustPosture.nullable(),
  intelligence: z.array(intelligenceScore),
  marketplace: marketplaceReadiness.nullable(),
  duration_seconds: z.number().int().nullable(),
  duration_ms: z.number().int().nullable(),
  execution_window: z.object({ started_at: iso.nullable(), completed_at: iso.nullable() }),
  retry_attempt: z.number().int(),
  retry_limit: z.number().int(),
  retry_count: z.number().int(),
  retry_ledger: z.array(retryLedgerEntry),
  override_reason: z.string().nullable(),
  manual_override: z.object({ kind: z.enum(['approval', 'cancellation']), reason: z.string().nullable(), actor_id: z.string(), actor_email: z.string().nullable() }).nullable(),
  artifacts: z.array(artifactProvenance),
  artifact_fingerprints: z.array(z.object({ manifest_digest: z.string(), fingerprint: z.string() })),
  promotion_verdict: z.record(z.string(), json).nullable(),
});
export type ConsoleRun = z.infer<typeof consoleRun>;

export const promotionRunSlice = z.object({
  id: z.number().int(),
  promotion_id: z.number().int(),
  run_id: z.number().int().nullable(),
  vm_instance_id: z.number().int().nullable(),
  status: z.string(),
  playbook: z.string().nullable(),
  automation_payload: json,
  promotion_gate_context: json,
  metadata: json,
});

export const promotionPosture = z.object({
  promotion_id: z.number().int(),
  status: z.string(),
  allowed: z.boolean().nullable(),
  veto_reasons: json,
  signals: json,
  remediation_hooks: json,
  track_name: z.string().nullable(),
  track_tier: z.string().nullable(),
  stage: z.string().nullable(),
  updated_at: iso,
});

export const consoleEntry = z.object({
  workspace: consoleWorkspace,
  active_revision: activeRevision.nullable(),
  promotion_runs: z.array(promotionRunSlice),
  promotion_postures: z.array(promotionPosture),
  recent_runs: z.array(consoleRun),
});
export type ConsoleEntry = z.infer<typeof consoleEntry>;

export const lifecycleConsolePage = z
  .object({ workspaces: z.array(consoleEntry), next_cursor: z.string().nullable(), generated_at: iso })
  .meta({ id: 'LifecycleConsolePage' });
export type LifecycleConsolePage = z.infer<typeof lifecycleConsolePage>;
