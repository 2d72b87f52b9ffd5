// The `data` of each Server-Sent Event the streams send, as JSON schemas for /openapi.json. The writers build these
// payloads (sql/trust-registry.ts transitionPayload, core/remediation-stream-payload.ts, http/vm-console-stream.ts);
// extra fields may be added, so every object stays open.
import { z } from 'zod';
import { runStatus } from '../remediation-status.ts';
import { attestationStatus, lifecycleState, remediationState } from '../trust-states.ts';

export const streamReset = z
  .object({ reason: z.literal('retention'), requested_id: z.number().int(), oldest_id: z.number().int(), head_id: z.number().int() })
  .loose()
  .meta({ id: 'StreamReset', description: 'Sent first when Last-Event-ID is older than the retained log; the stream then goes on from oldest_id' });

export const trustTransitionEvent = z
  .object({
    vm_instance_id: z.number().int(),
    server_id: z.number().int(),
    history_id: z.number().int(),
    version: z.number().int(),
    lifecycle_state: lifecycleState,
    previous_lifecycle_state: lifecycleState.nullable(),
    attestation_status: attestationStatus,
    remediation_state: remediationState.nullable(),
    remediation_attempts: z.number().int(),
    freshness_deadline: z.string().nullable(),
    evidence_observed_at: z.string().nullable(),
    stale: z.boolean(),
    out_of_order: z.boolean(),
    trigger: z.string(),
    event: z.string(),
    actor: z.string(),
    provenance: z.record(z.string(), z.unknown()),
  })
  .loose()
  .meta({ id: 'TrustTransitionEvent' });

export const runStatusEvent = z
  .object({
    run_id: z.number().int(),
    vm_instance_id: z.number().int(),
    status: runStatus,
    approval_state: z.string(),
    version: z.number().int(),
    manifest_tags: z.array(z.string()),
    policy_feedback: z.array(z.string()),
    policy_gate: z.object({ blocked: z.boolean(), hooks: z.array(z.string()), approval: z.string() }).loose(),
    automation_payload: z.record(z.string(), z.unknown()),
  })
  .loose()
  .meta({ id: 'RunStatusEvent', description: 'A status change of a run: the event name is run.created, run.<new status>, run.cancel-requested or run.sla-breached' });

export const runLogEvent = z
  .object({
    run_id: z.number().int(),
    attempt: z.number().int(),
    lines: z.array(z.object({ sequence: z.number().int(), stream: z.string(), line: z.string() }).loose()),
  })
  .loose()
  .meta({ id: 'RunLogEvent' });

export const consoleLineEvent = z
  .object({ server_id: z.number().int(), domain_name: z.string(), line: z.string() })
  .meta({ id: 'ConsoleLineEvent' });

export const runSkippedEvent = z
  .object({ vm_instance_id: z.number().int(), history_id: z.number().int(), reason: z.literal('instance-terminated'), instance_status: z.string() })
  .meta({ id: 'RunSkippedEvent', description: 'A quarantine made no run: its instance is terminated (launch failed, or stopped)' });

const runEventNames = ['run.created', ...runStatus.options.map((status) => `run.${status}`), 'run.cancel-requested', 'run.sla-breached'];

/** Event name → data schema, per stream. */
export const trustRegistryStreamEvents = { 'trust.transition': trustTransitionEvent, reset: streamReset };
export const remediationStreamEvents = { ...Object.fromEntries(runEventNames.map((name) => [name, runStatusEvent])), 'run.skipped': runSkippedEvent, log: runLogEvent, reset: streamReset };
export const consoleStreamEvents = { console: consoleLineEvent };

export const workspaceChangeEvent = z
  .object({
    workspace_id: z.number().int(),
    workspace_version: z.number().int(),
    lifecycle_state: z.string(),
    revision_id: z.number().int(),
    revision_number: z.number().int(),
    revision_version: z.number().int(),
    state: z.string(),
    gates: z.record(z.string(), z.string()),
  })
  .loose()
  .meta({ id: 'WorkspaceChangeEvent', description: 'A workspace, revision, gate or promotion change, after commit and in commit order' });

export const workspaceEventNames = [
  'workspace.created', 'workspace.abandoned', 'revision.appended', 'gate.schema', 'gate.policy', 'gate.simulation', 'gate.stale',
  'promotion.started', 'promotion.applied', 'promotion.progress', 'promotion.finished',
] as const;
export const workspaceStreamEvents = { ...Object.fromEntries(workspaceEventNames.map((name) => [name, workspaceChangeEvent])), reset: streamReset };
