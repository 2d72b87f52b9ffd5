// The placement policy's checks: pure functions from one candidate's inputs to an allow/veto verdict with a veto
// class, a reason and a score. core/policy-engine.ts runs them as a pipeline; docs/policy.md describes each one.
import type { AcceleratorPosture } from './remediation-stream-payload.ts';
import type { LifecycleState } from './trust-states.ts';

export interface TrustSnapshot {
  lifecycle_state: LifecycleState;
  attestation_status: string;
  remediation_state: string | null;
  remediation_attempts: number;
  freshness_deadline: Date | string | null;
  provenance: Record<string, unknown>;
}

export const checkNames = ['trust-lifecycle', 'remediation-gate', 'freshness', 'accelerator-posture', 'tenant-policy'] as const;
export type CheckName = (typeof checkNames)[number];

/**
 * `structural`: only evidence or a finished remediation clears it, never an override. `transient`: clears by
 * itself (a run finishes, evidence arrives, posture recovers) and may be overridden until an expiry.
 * `cancelled`: the request itself was withdrawn (a stop was asked for); nothing to retry or override.
 */
export const vetoClasses = ['structural', 'transient', 'cancelled'] as const;
export type VetoClass = (typeof vetoClasses)[number];
export type BlockedStatus = 'pending-remediation' | 'pending-attestation';

export interface CheckVerdict {
  check: CheckName;
  verdict: 'allow' | 'veto';
  class: VetoClass | null;
  reason: string;
  /** 0-100: how comfortable this check is with the candidate (a veto scores 0). */
  score: number;
  weight: number;
  /** For a veto: the `policy_hook:remediation_gate=` value and the server status it blocks into. */
  gate?: string;
  status?: BlockedStatus;
  /** The override that turned this transient veto into an allow. */
  overridden_by?: number;
}

/** The tenant's own placement rules, from the server's `metadata.placement_policy`. */
export interface TenantPolicy {
  /** Default true: a suspect instance inside its window may be placed. */
  allow_suspect?: boolean;
  /** Default false: stale evidence blocks placement even outside a remediation window. */
  require_fresh_evidence?: boolean;
}

export interface CheckInput {
  trust: TrustSnapshot | undefined;
  accelerators: AcceleratorPosture[];
  policy: TenantPolicy;
  /** The server's status: a requested stop cancels placement. */
  server_status?: string;
  now: Date;
}

export const checkWeights: Record<CheckName, number> = {
  'trust-lifecycle': 35,
  'remediation-gate': 20,
  freshness: 20,
  'accelerator-posture': 15,
  'tenant-policy': 10,
};

/** Remediation states in which a run is still deciding the instance's fate. */
const activeRunStates = new Set(['awaiting-approval', 'automation-pending', 'automation-running']);
/** Lifecycles in which the freshness deadline is a remediation window, not just routine re-attestation. */
const remediationLifecycles = new Set<LifecycleState>(['suspect', 'remediating']);
/** Accelerator postures that do not block (the remediation stream's policy gate uses the same set). */
export const clearPostures = new Set(['compliant', 'trusted', 'ok', 'healthy']);
/** Postures no override may clear: the device itself is not to be trusted. */
const structuralPostures = new Set(['revoked', 'tampered']);

const lifecycleScore: Record<LifecycleState, number> = { trusted: 100, restored: 90, pending: 80, suspect: 60, remediating: 40, quarantined: 0, retired: 100 };

export function isStale(snapshot: Pick<TrustSnapshot, 'freshness_deadline'>, now: Date): boolean {
  return snapshot.freshness_deadline !== null && new Date(snapshot.freshness_deadline).getTime() < now.getTime();
}

const allow = (check: CheckName, reason: string, score = 100): CheckVerdict => ({ check, verdict: 'allow', class: null, reason, score, weight: checkWeights[check] });
const veto = (check: CheckName, vetoClass: VetoClass, gate: string, status: BlockedStatus, reason: string): CheckVerdict => ({
  check,
  verdict: 'veto',
  class: vetoClass,
  reason,
  score: 0,
  weight: checkWeights[check],
  gate,
  status,
});

export function trustLifecycleCheck({ trust }: CheckInput): CheckVerdict {
  if (trust === undefined) return allow('trust-lifecycle', 'the server never ran: nothing to veto');
  const state = trust.lifecycle_state;
  if (state === 'quarantined') return veto('trust-lifecycle', 'structural', 'quarantined', 'pending-remediation', 'the instance is quarantined until remediation restores it');
  if (state === 'retired') return allow('trust-lifecycle', 'the latest instance is retired: a new one will be launched');
  return allow('trust-lifecycle', `lifecycle ${state}`, lifecycleScore[state]);
}

export function remediationGateCheck({ trust }: CheckInput): CheckVerdict {
  const state = trust?.remediation_state ?? null;
  if (state !== null && activeRunStates.has(state)) {
    return veto('remediation-gate', 'transient', `active-run:${state}`, 'pending-remediation', `a remediation run is ${state}`);
  }
  if (state === null) return allow('remediation-gate', 'no remediation under way');
  return allow('remediation-gate', `last remediation ${state}`, state === 'automation-complete' ? 90 : 70);
}

export function freshnessCheck({ trust, policy, now }: CheckInput): CheckVerdict {
  if (trust === undefined || trust.freshness_deadline === null) return allow('freshness', 'no freshness deadline', trust === undefined ? 100 : 80);
  const deadline = new Date(trust.freshness_deadline).toISOString();
  if (!isStale(trust, now)) return allow('freshness', `evidence fresh until ${deadline}`);
  const inRemediation = trust.remediation_state !== null || remediationLifecycles.has(trust.lifecycle_state);
  if (inRemediation) {
    return veto('freshness', 'transient', 'stale-window', 'pending-attestation', `the remediation window passed at ${deadline} without fresh attestation evidence`);
  }
  if (policy.require_fresh_evidence === true) {
    return veto('freshness', 'transient', 'stale-evidence', 'pending-attestation', `evidence went stale at ${deadline} and the tenant policy requires fresh evidence`);
  }
  return allow('freshness', `routine re-attestation overdue since ${deadline}`, 50);
}

/** Why one accelerator blocks: its id, kind, posture and its own policy feedback. */
export function acceleratorReason(a: AcceleratorPosture): string {
  const feedback = Array.isArray(a.policy_feedback) ? a.policy_feedback.filter((f): f is string => typeof f === 'string') : [];
  return `accelerator ${a.accelerator_id} (${a.kind}) is ${a.posture}${feedback.length > 0 ? `: ${feedback.join(', ')}` : ''}`;
}

export const acceleratorGate = (failing: AcceleratorPosture[]) => `accelerator:${failing.map((a) => a.accelerator_id).join(',')}`;

export function acceleratorPostureCheck({ accelerators }: CheckInput): CheckVerdict {
  const failing = accelerators.filter((accelerator) => !clearPostures.has(accelerator.posture));
  if (accelerators.length === 0) return allow('accelerator-posture', 'no accelerators recorded');
  if (failing.length === 0) return allow('accelerator-posture', `${accelerators.length} accelerator(s) compliant`);
  const structural = failing.some((a) => structuralPostures.has(a.posture));
  return veto('accelerator-posture', structural ? 'structural' : 'transient', acceleratorGate(failing), 'pending-remediation', failing.map(acceleratorReason).join('; '));
}

export function tenantPolicyCheck({ trust, policy, server_status }: CheckInput): CheckVerdict {
  if (server_status === 'stopping' || server_status === 'stopped') {
    return veto('tenant-policy', 'cancelled', 'stop-requested', 'pending-remediation', `the server is ${server_status}: placement was withdrawn`);
  }
  if (policy.allow_suspect === false && trust?.lifecycle_state === 'suspect') {
    return veto('tenant-policy', 'transient', 'tenant-policy:suspect', 'pending-attestation', 'the tenant policy does not place suspect instances');
  }
  return allow('tenant-policy', 'within the tenant policy');
}

/** The pipeline, in the order the checks are reported. */
export const checks: readonly ((input: CheckInput) => CheckVerdict)[] = [trustLifecycleCheck, remediationGateCheck, freshnessCheck, acceleratorPostureCheck, tenantPolicyCheck];

/** `metadata.placement_policy` of a server, with anything malformed ignored. */
export function tenantPolicyOf(metadata: Record<string, unknown> | undefined): TenantPolicy {
  const raw = metadata?.placement_policy;
  if (typeof raw !== 'object' || raw === null) return {};
  const value = raw as Record<string, unknown>;
  const policy: TenantPolicy = {};
  if (typeof value.allow_suspect === 'boolean') policy.allow_suspect = value.allow_suspect;
  if (typeof value.require_fresh_evidence === 'boolean') policy.require_fresh_evidence = value.require_fresh_evidence;
  return policy;
}
