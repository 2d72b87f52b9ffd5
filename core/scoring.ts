// Capability intelligence score: a pure function of the trust posture of a server's instances.
// Degraded posture costs points in proportion to remediation churn and how long evidence has been stale.
import type { LifecycleState } from './trust-states.ts';
import type { AttestationStatus } from './trust-states.ts';

export interface PostureInput {
  vm_instance_id: number;
  lifecycle_state: LifecycleState;
  attestation_status: AttestationStatus;
  remediation_attempts: number;
  freshness_deadline: Date | null;
}

export const lifecyclePenalty: Record<LifecycleState, number> = {
  trusted: 0,
  restored: 10,
  pending: 20,
  suspect: 35,
  remediating: 50,
  quarantined: 70,
  retired: 100,
};

export const ATTEMPT_PENALTY = 5;
export const ATTEMPT_PENALTY_CAP = 30;
export const STALE_PENALTY = 10;
export const STALE_PENALTY_PER_HOUR = 1;
export const STALE_PENALTY_CAP = 30;

export interface Score {
  score: number;
  notes: string[];
  evidence: Record<string, unknown>;
}

function scoreInstance(input: PostureInput, now: Date): Score {
  const notes = [`vm:trust-lifecycle=${input.lifecycle_state}`, `vm:trust-attestation=${input.attestation_status}`];
  let penalty = lifecyclePenalty[input.lifecycle_state];
  if (input.attestation_status === 'untrusted') penalty += 10;
  const attempts = Math.min(input.remediation_attempts * ATTEMPT_PENALTY, ATTEMPT_PENALTY_CAP);
  if (input.remediation_attempts > 0) notes.push(`vm:trust-remediation-attempts=${input.remediation_attempts}`);
  penalty += attempts;
  let overdueHours = 0;
  if (input.freshness_deadline !== null && input.freshness_deadline.getTime() < now.getTime()) {
    overdueHours = Math.floor((now.getTime() - input.freshness_deadline.getTime()) / 3_600_000);
    penalty += Math.min(STALE_PENALTY + overdueHours * STALE_PENALTY_PER_HOUR, STALE_PENALTY_CAP);
    notes.push(`vm:trust-stale-hours=${overdueHours}`);
  }
  const score = Math.max(0, Math.min(100, 100 - penalty));
  return { score, notes, evidence: { vm_instance_id: input.vm_instance_id, penalty, attempts_penalty: attempts, overdue_hours: overdueHours } };
}

/** A server is as trustworthy as its weakest live instance; no instance at all scores 0 ("nothing attested"). */
export function scorePosture(instances: PostureInput[], now: Date): Score {
  if (instances.length === 0) return { score: 0, notes: ['vm:trust-no-instance'], evidence: { instances: [] } };
  const scored = instances.map((instance) => scoreInstance(instance, now));
  const weakest = scored.reduce((low, candidate) => (candidate.score < low.score ? candidate : low));
  return { score: weakest.score, notes: weakest.notes, evidence: { weakest: weakest.evidence, instances: scored.map((s) => s.evidence) } };
}
