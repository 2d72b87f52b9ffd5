// Wire schemas of the remediation workspace surface: workspaces, revisions and their envelopes, gate snapshots,
// sandbox executions, promotions and their per-target runs, and the request bodies that move them.
import { z } from 'zod';
import { executorType } from '../remediation-plan.ts';
import { gateName, gateStatus } from '../workspace-gate.ts';
import { revisionState } from '../workspace-revision.ts';
import { metadata, page, timestamp, version } from './common.ts';
import { playbookKey } from './remediation.ts';

const labels = z.array(z.string().min(1).max(200)).max(50);
const targets = z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).max(500)
  .refine((ids) => new Set(ids).size === ids.length, 'each target once');
const plan = z.record(z.string(), z.unknown());
const notes = z.array(z.string().max(2000)).max(50);

export const workspaceLifecycle = z.enum(['draft', 'promoting', 'promoted', 'abandoned']);

export const createWorkspaceBody = z.strictObject({
  workspace_key: playbookKey,
  display_name: z.string().min(1).max(200),
  description: z.string().max(4000).default(''),
  playbook_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** Revision 1's plan; the catalog playbook's current plan when absent. */
  plan: plan.optional(),
  targets: targets.default([]),
  allow_unsimulated: z.boolean().default(false),
  lineage_tags: labels.default([]),
  lineage_labels: labels.default([]),
  metadata: metadata.default({}),
});
export type CreateWorkspaceBody = z.infer<typeof createWorkspaceBody>;

/** `expected_version` is the workspace version read (or send it as If-Match). */
export const appendRevisionBody = z.strictObject({
  expected_version: version.optional(),
  plan,
  targets: targets.optional(),
  allow_unsimulated: z.boolean().optional(),
  lineage_labels: labels.default([]),
  metadata: metadata.default({}),
});
export type AppendRevisionBody = z.infer<typeof appendRevisionBody>;

/** Every gate write names the workspace version (or If-Match) and the revision version it read. */
const gateFields = { workspace_version: version.optional(), revision_version: version, notes: notes.default([]) };
export const gateBody = z.strictObject(gateFields);
export type GateBody = z.infer<typeof gateBody>;

export const policyBody = z.strictObject({ ...gateFields, override: z.strictObject({ reason: z.string().min(1).max(2000) }).optional() });
export type PolicyBody = z.infer<typeof policyBody>;

export const promotionBody = z.strictObject({
  ...gateFields,
  max_parallel: z.number().int().min(1).max(100).default(1),
  stop_on_first_failure: z.boolean().default(true),
  track_name: z.string().min(1).max(100).default('stable'),
  track_tier: z.string().min(1).max(100).default('tier-1'),
  stage: z.string().min(1).max(100).default('production'),
});
export type PromotionBody = z.infer<typeof promotionBody>;

export const abandonBody = z.strictObject({ expected_version: version.optional(), reason: z.string().max(2000).optional() });
export type AbandonBody = z.infer<typeof abandonBody>;

export const revisionParams = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  rid: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

export const workspace = z.object({
  id: z.number().int(),
  owner_id: z.string(),
  workspace_key: z.string(),
  display_name: z.string(),
  description: z.string(),
  lifecycle_state: workspaceLifecycle,
  lineage_tags: z.array(z.string()),
  active_revision_id: z.number().int().nullable(),
  playbook_id: z.number().int().nullable(),
  executor_type: executorType.nullable(),
  metadata,
  version: z.number().int(),
  created_by: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
}).meta({ id: 'RemediationWorkspace' });

export const revision = z.object({
  id: z.number().int(),
  workspace_id: z.number().int(),
  revision_number: z.number().int(),
  previous_revision_id: z.number().int().nullable(),
  created_by: z.string(),
  state: revisionState,
  plan,
  plan_sha256: z.string(),
  base_playbook_version: z.number().int().nullable(),
  targets: z.array(z.number().int()),
  allow_unsimulated: z.boolean(),
  schema_status: gateStatus,
  policy_status: gateStatus,
  simulation_status: gateStatus,
  promotion_status: gateStatus,
  schema_errors: z.array(z.unknown()),
  policy_veto_reasons: z.array(z.unknown()),
  policy_decision_id: z.string().nullable(),
  policy_overridden_by: z.string().nullable(),
  policy_override_reason: z.string().nullable(),
  policy_overridden_at: timestamp.nullable(),
  lineage_labels: z.array(z.string()),
  schema_validated_at: timestamp.nullable(),
  policy_evaluated_at: timestamp.nullable(),
  simulated_at: timestamp.nullable(),
  promoted_at: timestamp.nullable(),
  metadata,
  version: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const revisionActions = z.object({
  can_validate: z.boolean(),
  can_simulate: z.boolean(),
  can_promote: z.boolean(),
  can_override: z.boolean(),
  can_abandon: z.boolean(),
});

export const revisionEnvelope = z.object({
  revision,
  actions: revisionActions,
  terminal: z.boolean(),
  awaiting: z.string().nullable(),
}).meta({ id: 'RemediationWorkspaceRevisionEnvelope' });

export const snapshot = z.object({
  id: z.number().int(),
  workspace_id: z.number().int(),
  revision_id: z.number().int(),
  snapshot_type: gateName,
  status: gateStatus,
  plan_sha256: z.string(),
  playbook_version: z.number().int().nullable(),
  registry_versions: z.record(z.string(), z.number().int()),
  decision_id: z.string().nullable(),
  rules: z.array(z.unknown()),
  errors: z.array(z.unknown()),
  gate_context: metadata,
  notes: z.array(z.unknown()),
  sandbox_execution_id: z.number().int().nullable(),
  recorded_by: z.string(),
  recorded_at: timestamp,
});

export const simulationTask = z.object({
  host: z.string(),
  task: z.string(),
  result: z.enum(['changed', 'ok', 'skipped-in-check', 'unsupported', 'failed']),
  diff: z.string().optional(),
});
export type SimulationTask = z.infer<typeof simulationTask>;

export const sandboxExecution = z.object({
  id: z.number().int(),
  workspace_id: z.number().int(),
  revision_id: z.number().int(),
  requested_by: z.string(),
  simulator_kind: z.string(),
  execution_state: z.enum(['pending', 'running', 'completed', 'failed']),
  gate_status: gateStatus,
  plan_sha256: z.string(),
  playbook_version: z.number().int().nullable(),
  registry_versions: z.record(z.string(), z.number().int()),
  tasks: z.array(simulationTask),
  diff_snapshot: metadata,
  gate_context: metadata,
  outcome: metadata,
  started_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
  created_at: timestamp,
}).meta({ id: 'RemediationSandboxExecution' });

export const postureVerdict = z.object({
  allowed: z.boolean(),
  veto_reasons: z.array(z.string()),
  signals: z.array(z.string()),
  remediation_hooks: z.array(z.string()),
  track_name: z.string().optional(),
  track_tier: z.string().optional(),
  stage: z.string().optional(),
}).partial();

export const promotionRun = z.object({
  id: z.number().int(),
  promotion_id: z.number().int(),
  workspace_id: z.number().int(),
  runtime_vm_instance_id: z.number().int(),
  ordinal: z.number().int(),
  phase: z.enum(['pending', 'staged', 'running', 'succeeded', 'failed', 'refused', 'skipped']),
  remediation_run_id: z.number().int().nullable(),
  playbook_id: z.number().int(),
  playbook_version: z.number().int().nullable(),
  promotion_gate_context: metadata,
  trust_posture: metadata,
  automation_payload: metadata,
  posture_verdict: postureVerdict,
  refusal_reason: z.string().nullable(),
  notes: z.array(z.unknown()),
  created_at: timestamp,
  updated_at: timestamp,
}).meta({ id: 'RemediationPromotionRun' });

export const promotion = z.object({
  id: z.number().int(),
  workspace_id: z.number().int(),
  revision_id: z.number().int(),
  playbook_id: z.number().int(),
  playbook_version: z.number().int().nullable(),
  requested_by: z.string(),
  status: z.enum(['pending', 'running', 'succeeded', 'partial', 'failed', 'stale', 'cancelled']),
  max_parallel: z.number().int(),
  stop_on_first_failure: z.boolean(),
  track_name: z.string(),
  track_tier: z.string(),
  stage: z.string(),
  counts: z.record(z.string(), z.number().int()),
  gate_context: metadata,
  posture_verdict: postureVerdict,
  notes: z.array(z.unknown()),
  failure_reason: z.string().nullable(),
  version: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
  started_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
}).meta({ id: 'RemediationPromotion' });

export const gateSummary = z.object({ gate: gateName, status: gateStatus, snapshot_id: z.number().int().nullable(), recorded_at: timestamp.nullable() });

export const workspaceEnvelope = z.object({
  workspace,
  revisions: z.array(revisionEnvelope),
  gate_summaries: z.array(gateSummary),
  sandbox_executions: z.array(sandboxExecution),
  snapshots: z.array(snapshot),
  promotions: z.array(promotion.extend({ promotion_runs: z.array(promotionRun) })),
}).meta({ id: 'RemediationWorkspaceEnvelope' });
export type WorkspaceEnvelope = z.infer<typeof workspaceEnvelope>;

export const workspaceSummary = z.object({ workspace, active_revision: revisionEnvelope.nullable() });
export const workspacePage = page(workspaceSummary).meta({ id: 'RemediationWorkspacePage' });

/** Where a 202 tells the client to watch the job it started. */
export const watchLinks = z.object({ workspace: z.string(), stream: z.string() });

export const simulationAccepted = z.object({ sandbox_execution: sandboxExecution, revision: revisionEnvelope, watch: watchLinks });
export const promotionAccepted = z.object({
  promotion,
  promotion_runs: z.array(promotionRun),
  revision: revisionEnvelope,
  watch: watchLinks,
}).meta({ id: 'RemediationPromotionAccepted' });
