// What a remediation status event carries besides the run itself: manifest tags, policy feedback, the policy
// gate, accelerator posture and the automation payload, derived from the run, its playbook and the posture rows.
import { acceleratorGate, acceleratorReason, clearPostures } from './policy-checks.ts';
import { isActive, type ApprovalState, type RunStatus } from './remediation-status.ts';

export interface AcceleratorPosture {
  accelerator_id: string;
  kind: string;
  posture: string;
  policy_feedback: unknown;
  metadata: Record<string, unknown>;
}

export interface PayloadRun {
  id: number;
  vm_instance_id: number;
  status: RunStatus;
  approval_state: ApprovalState;
  attempt: number;
  retry_limit: number;
  failure_reason: string | null;
  failure_class: string | null;
  sla_deadline: Date;
  sla_breached_at: Date | null;
  version: number;
  trigger: string;
  metadata: Record<string, unknown>;
}

export interface PayloadPlaybook {
  id: number;
  playbook_key: string;
  executor_type: string;
  metadata: Record<string, unknown>;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const unique = (values: string[]) => [...new Set(values)];
const objectOf = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export function runEventPayload(run: PayloadRun, playbook: PayloadPlaybook, accelerators: AcceleratorPosture[], extra: Record<string, unknown> = {}) {
  const gated = accelerators.filter((accelerator) => !clearPostures.has(accelerator.posture));
  const active = isActive(run.status);
  return {
    run_id: run.id,
    vm_instance_id: run.vm_instance_id,
    status: run.status,
    approval_state: run.approval_state,
    version: run.version,
    manifest_tags: unique([
      `playbook:${playbook.playbook_key}`,
      `executor:${playbook.executor_type}`,
      `trigger:${run.trigger}`,
      ...strings(playbook.metadata.manifest_tags),
      ...strings(run.metadata.manifest_tags),
    ]).sort(),
    policy_feedback: unique([...strings(run.metadata.policy_feedback), ...accelerators.flatMap((a) => strings(a.policy_feedback))]),
    policy_gate: {
      blocked: active && (run.approval_state === 'pending' || gated.length > 0),
      hooks: active ? [`policy_hook:remediation_gate=active-run:${run.id}`, ...(gated.length > 0 ? [`policy_hook:accelerator_gate=${acceleratorGate(gated)}`] : [])] : [],
      approval: run.approval_state,
      // The placement gate's accelerator check gives the same per-accelerator reason (core/policy-checks.ts).
      accelerators: gated.map((a) => ({ accelerator_id: a.accelerator_id, kind: a.kind, posture: a.posture, reasons: strings(a.policy_feedback), placement_reason: acceleratorReason(a) })),
    },
    accelerators: accelerators.map((a) => ({ accelerator_id: a.accelerator_id, kind: a.kind, posture: a.posture, policy_feedback: strings(a.policy_feedback) })),
    automation_payload: {
      playbook_id: playbook.id,
      playbook_key: playbook.playbook_key,
      executor_type: playbook.executor_type,
      attempt: run.attempt,
      retry_limit: run.retry_limit,
      failure_reason: run.failure_reason,
      failure_class: run.failure_class,
      sla_deadline: run.sla_deadline.toISOString(),
      sla_breached: run.sla_breached_at !== null,
      // A run a workspace promotion staged carries the promotion's automation facts (lane, stage, playbook version).
      ...objectOf(run.metadata.automation_payload),
    },
    ...(run.metadata.promotion_gate_context === undefined ? {} : { promotion_gate_context: objectOf(run.metadata.promotion_gate_context) }),
    ...extra,
  };
}
