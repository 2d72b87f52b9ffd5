// Wire schemas of the remediation surfaces: playbooks, runs, attempts, artifacts, approvals, cancellation.
import { z } from 'zod';
import { failureClass, failureReason } from '../failure-taxonomy.ts';
import { playbookSelector } from '../playbook-selection.ts';
import { ansiblePlan, cloudPlan, executorType, shellPlan } from '../remediation-plan.ts';
import { approvalState, runStatus } from '../remediation-status.ts';
import { cursor, maxVersion, metadata, page, timestamp, version } from './common.ts';

export const playbookKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, 'must be lowercase letters, digits, dots, dashes and underscores');

const playbookFields = {
  playbook_key: playbookKey,
  display_name: z.string().max(200).default(''),
  description: z.string().max(4000).default(''),
  owner_assignment: z.string().min(1).max(200).optional(),
  approval_required: z.boolean().default(true),
  sla_duration_seconds: z.number().int().min(1).max(30 * 86_400).default(3600),
  timeout_seconds: z.number().int().min(1).max(86_400).default(1800),
  retry_limit: z.number().int().min(0).max(20).default(3),
  selector: playbookSelector.default({ on_quarantine: false, priority: 0 }),
  metadata: metadata.default({}),
};

export const createPlaybookBody = z.discriminatedUnion('executor_type', [
  z.strictObject({ ...playbookFields, executor_type: z.literal('shell'), plan: shellPlan }),
  z.strictObject({ ...playbookFields, executor_type: z.literal('ansible'), plan: ansiblePlan }),
  z.strictObject({ ...playbookFields, executor_type: z.literal('cloud'), plan: cloudPlan }),
]);
export type CreatePlaybookBody = z.infer<typeof createPlaybookBody>;

/** The plan is checked against the playbook's (unchangeable) executor type once the row is read. */
export const updatePlaybookBody = z.strictObject({
  version,
  display_name: z.string().max(200).optional(),
  description: z.string().max(4000).optional(),
  owner_assignment: z.string().min(1).max(200).optional(),
  approval_required: z.boolean().optional(),
  sla_duration_seconds: z.number().int().min(1).max(30 * 86_400).optional(),
  timeout_seconds: z.number().int().min(1).max(86_400).optional(),
  retry_limit: z.number().int().min(0).max(20).optional(),
  selector: playbookSelector.optional(),
  metadata: metadata.optional(),
  plan: z.record(z.string(), z.unknown()).optional(),
});
export type UpdatePlaybookBody = z.infer<typeof updatePlaybookBody>;

export const versionQuery = z.object({ version: z.coerce.number().int().positive().max(maxVersion).optional() });

export const playbook = z
  .object({
    id: z.number().int(),
    owner_id: z.string(),
    playbook_key: z.string(),
    display_name: z.string(),
    description: z.string(),
    executor_type: executorType,
    owner_assignment: z.string().nullable(),
    approval_required: z.boolean(),
    sla_duration_seconds: z.number().int(),
    timeout_seconds: z.number().int(),
    retry_limit: z.number().int(),
    plan: z.record(z.string(), z.unknown()),
    selector: z.record(z.string(), z.unknown()),
    metadata,
    version: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
    remediation_surface: z.literal('playbook-catalog').default('playbook-catalog'),
  })
  .meta({ id: 'RemediationPlaybook' });
export type Playbook = z.infer<typeof playbook>;
export const playbookPage = page(playbook).meta({ id: 'RemediationPlaybookPage' });

export const createRunBody = z
  .strictObject({
    vm_instance_id: z.number().int().positive(),
    playbook_id: z.number().int().positive().optional(),
    playbook_key: playbookKey.optional(),
    assigned_owner: z.string().min(1).max(200).optional(),
    metadata: metadata.default({}),
  })
  .refine((body) => (body.playbook_id === undefined) !== (body.playbook_key === undefined), {
    message: 'give exactly one of playbook_id or playbook_key',
    path: ['playbook_id'],
  });
export type CreateRunBody = z.infer<typeof createRunBody>;

export const runListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
  status: runStatus.optional(),
  vm_instance_id: z.coerce.number().int().positive().optional(),
  playbook_id: z.coerce.number().int().positive().optional(),
});
export type RunListQuery = z.infer<typeof runListQuery>;

export const approvalBody = z.strictObject({ decision: z.enum(['approve', 'deny']), version, note: z.string().max(2000).optional() });
export type ApprovalBody = z.infer<typeof approvalBody>;

export const cancelBody = z.strictObject({ version, reason: z.string().max(2000).optional() });
export type CancelBody = z.infer<typeof cancelBody>;

export const attempt = z.object({
  attempt: z.number().int(),
  status: z.string(),
  exit_code: z.number().int().nullable(),
  failure_reason: failureReason.nullable(),
  failure_class: failureClass.nullable(),
  detail: z.string().nullable(),
  idempotency_key: z.string(),
  retry_delay_ms: z.number().int().nullable(),
  started_at: timestamp,
  finished_at: timestamp.nullable(),
  /** Log lines of this attempt that could not be stored; its outcome stands regardless. */
  log_lines_lost: z.number().int(),
});
export type Attempt = z.infer<typeof attempt>;

export const run = z
  .object({
    id: z.number().int(),
    owner_id: z.string(),
    vm_instance_id: z.number().int(),
    playbook_id: z.number().int(),
    playbook_version: z.number().int(),
    playbook_key: z.string().optional(),
    executor_type: executorType.optional(),
    status: runStatus,
    approval_state: approvalState,
    approval_expires_at: timestamp.nullable(),
    approved_by: z.string().nullable(),
    approved_at: timestamp.nullable(),
    approval_note: z.string().nullable(),
    requested_by: z.string(),
    assigned_owner: z.string().nullable(),
    trigger: z.string(),
    sla_deadline: timestamp,
    sla_breached_at: timestamp.nullable(),
    attempt: z.number().int(),
    retry_limit: z.number().int(),
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    cancellation_requested_at: timestamp.nullable(),
    cancelled_by: z.string().nullable(),
    cancellation_reason: z.string().nullable(),
    failure_reason: failureReason.nullable(),
    failure_class: failureClass.nullable(),
    metadata,
    version: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
    retry_ledger: z.array(attempt).optional(),
  })
  .meta({ id: 'RemediationRun' });
export type Run = z.infer<typeof run>;
export const runPage = page(run).meta({ id: 'RemediationRunPage' });

export const artifact = z
  .object({
    id: z.number().int(),
    run_id: z.number().int(),
    attempt: z.number().int(),
    artifact_type: z.enum(['log-bundle', 'evidence', 'output']),
    name: z.string(),
    content_type: z.string(),
    content: z.string(),
    sha256: z.string(),
    size_bytes: z.number().int(),
    metadata,
    created_at: timestamp,
  })
  .meta({ id: 'RemediationArtifact' });
export const artifactList = z.object({ items: z.array(artifact) }).meta({ id: 'RemediationArtifactList' });

export const streamQuery = z.object({ run_id: z.coerce.number().int().positive().optional() });
