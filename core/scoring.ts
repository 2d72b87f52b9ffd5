// Capability intelligence score: a pure function of the trust posture of a server's instances.
// score = 100 − Σ penalties, each penalty itemised with its cause and capped: lifecycle state, untrusted evidence,
// remediation churn (growing with repeats, decaying after a clean period), stale evidence windows, provenance gaps.
import type { AttestationStatus, LifecycleState } from './trust-states.ts';

export interface PostureInput {
  vm_instance_id: number;
  lifecycle_state: LifecycleState;
  attestation_status: AttestationStatus;
  remediation_attempts: number;
  freshness_deadline: Date | null;
  /** When each remediation attempt started; attempts beyond these count as recent. */
  remediation_started_at?: Date[];
  provenance?: Record<string, unknown>;
}

export const penaltyCauses = ['no-instance', 'lifecycle', 'attestation', 'remediation-churn', 'stale-evidence', 'provenance-gap'] as const;
export type PenaltyCause = (typeof penaltyCauses)[number];

export interface Penalty {
  cause: PenaltyCause;
  vm_instance_id: number | null;
  points: number;
  detail: string;
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

export const UNTRUSTED_PENALTY = 10;
export const ATTEMPT_PENALTY = 5;
/** Each further recent remediation costs a quarter more than the one before. */
export const CHURN_GROWTH = 0.25;
export const CHURN_PENALTY_CAP = 30;
/** A remediation counts in full for this long, then its weight halves every CHURN_HALF_LIFE_MS. */
export const CHURN_CLEAN_PERIOD_MS = 7 * 24 * 3_600_000;
export const CHURN_HALF_LIFE_MS = 3 * 24 * 3_600_000;
export const STALE_PENALTY = 10;
export const STALE_PENALTY_PER_HOUR = 1;
export const STALE_PENALTY_CAP = 30;
export const PROVENANCE_PENALTY: Record<string, number> = { verifier: 4, evidence_digest: 4, report_reference: 2 };

export interface Score {
  score: number;
  notes: string[];
  penalties: Penalty[];
  evidence: Record<string, unknown>;
}

const hundredths = (value: number) => Math.round(value * 100);

/** How many remediations still weigh on the instance: recent ones count 1, older ones decay by half-lives. */
export function churnWeight(input: Pick<PostureInput, 'remediation_attempts' | 'remediation_started_at'>, now: Date): number {
  const started = input.remediation_started_at ?? [];
  const untimed = Math.max(0, input.remediation_attempts - started.length);
  return started.reduce((sum, at) => {
    const beyond = now.getTime() - at.getTime() - CHURN_CLEAN_PERIOD_MS;
    return sum + (beyond <= 0 ? 1 : 0.5 ** (beyond / CHURN_HALF_LIFE_MS));
  }, untimed);
}

export function churnPenalty(weight: number): number {
  return Math.min(CHURN_PENALTY_CAP, ATTEMPT_PENALTY * weight * (1 + CHURN_GROWTH * Math.max(0, weight - 1)));
}

function instancePenalties(input: PostureInput, now: Date): Penalty[] {
  const id = input.vm_instance_id;
  const penalties: Penalty[] = [];
  const add = (cause: PenaltyCause, points: number, detail: string) => {
    if (points > 0) penalties.push({ cause, vm_instance_id: id, points: hundredths(points) / 100, detail });
  };
  add('lifecycle', lifecyclePenalty[input.lifecycle_state], `lifecycle ${input.lifecycle_state}`);
  if (input.attestation_status === 'untrusted') add('attestation', UNTRUSTED_PENALTY, 'the latest decided evidence was untrusted');
  const weight = churnWeight(input, now);
  add('remediation-churn', churnPenalty(weight), `${input.remediation_attempts} remediation attempt(s), ${weight.toFixed(2)} still weighing`);
  if (input.freshness_deadline !== null && input.freshness_deadline.getTime() < now.getTime()) {
    const hours = Math.floor((now.getTime() - input.freshness_deadline.getTime()) / 3_600_000);
    add('stale-evidence', Math.min(STALE_PENALTY + hours * STALE_PENALTY_PER_HOUR, STALE_PENALTY_CAP), `evidence stale since ${input.freshness_deadline.toISOString()} (${hours} h)`);
  }
  if (input.attestation_status !== 'unknown') {
    const missing = Object.keys(PROVENANCE_PENALTY).filter((key) => {
      const value = input.provenance?.[key];
      return typeof value !== 'string' || value === '';
    });
    add('provenance-gap', missing.reduce((sum, key) => sum + PROVENANCE_PENALTY[key]!, 0), `evidence without ${missing.join(', ')}`);
  }
  return penalties;
}

/** Cap the total at 100 by trimming from the last penalty back, so the list always sums to 100 − score. */
export function capPenalties(penalties: Penalty[]): Penalty[] {
  let left = 10_000;
  return penalties.flatMap((penalty) => {
    const points = Math.min(hundredths(penalty.points), left);
    left -= points;
    return points > 0 ? [{ ...penalty, points: points / 100 }] : [];
  });
}

function scoreInstance(input: PostureInput, now: Date): Score {
  const penalties = capPenalties(instancePenalties(input, now));
  const total = penalties.reduce((sum, p) => sum + hundredths(p.points), 0);
  const notes = [`vm:trust-lifecycle=${input.lifecycle_state}`, `vm:trust-attestation=${input.attestation_status}`];
  if (input.remediation_attempts > 0) notes.push(`vm:trust-remediation-attempts=${input.remediation_attempts}`);
  const stale = penalties.find((p) => p.cause === 'stale-evidence');
  if (stale !== undefined && input.freshness_deadline !== null) notes.push(`vm:trust-stale-hours=${Math.floor((now.getTime() - input.freshness_deadline.getTime()) / 3_600_000)}`);
  return { score: (10_000 - total) / 100, notes, penalties, evidence: { vm_instance_id: input.vm_instance_id, penalty: total / 100, penalties } };
}

/** A server is as trustworthy as its weakest live instance; no instance at all scores 0 ("nothing attested"). */
export function scorePosture(instances: PostureInput[], now: Date): Score {
  if (instances.length === 0) {
    const penalties: Penalty[] = [{ cause: 'no-instance', vm_instance_id: null, points: 100, detail: 'no live instance: nothing attested' }];
    return { score: 0, notes: ['vm:trust-no-instance'], penalties, evidence: { instances: [], penalties } };
  }
  const scored = instances.map((instance) => scoreInstance(instance, now));
  const weakest = scored.reduce((low, candidate) => (candidate.score < low.score ? candidate : low));
  return { score: weakest.score, notes: weakest.notes, penalties: weakest.penalties, evidence: { weakest: weakest.evidence, instances: scored.map((s) => s.evidence), penalties: weakest.penalties } };
}
