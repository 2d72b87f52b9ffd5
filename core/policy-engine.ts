// The placement policy engine: every check of core/policy-checks.ts over every candidate, overrides applied to
// transient vetoes only, one decision with a weighted score, an input digest and the notes rendered from it.
import { createHash } from 'node:crypto';
import {
  checks,
  isStale,
  type BlockedStatus,
  type CheckInput,
  type CheckName,
  type CheckVerdict,
  type TenantPolicy,
  type TrustSnapshot,
  type VetoClass,
} from './policy-checks.ts';
import type { AcceleratorPosture } from './remediation-stream-payload.ts';

export interface PolicyCandidate {
  /** null: no instance yet (the server never ran). */
  vm_instance_id: number | null;
  trust: TrustSnapshot | undefined;
  /** The trust registry version read, recorded with the decision. */
  registry_version?: number;
  accelerators: AcceleratorPosture[];
}

export interface PolicyOverride {
  id: number;
  check: CheckName;
  actor: string;
  reason: string;
  expires_at: Date;
}

export interface PolicyInput {
  candidates: PolicyCandidate[];
  policy: TenantPolicy;
  server_status?: string;
  overrides: PolicyOverride[];
  now: Date;
}

export interface CandidateDecision {
  vm_instance_id: number | null;
  allow: boolean;
  score: number;
  checks: CheckVerdict[];
  notes: string[];
}

export interface PolicyDecision {
  allow: boolean;
  /** The `policy_hook:remediation_gate=` value: `clear`, or the blocking check's gate. */
  gate: string;
  status?: BlockedStatus;
  reason?: string;
  veto_check?: CheckName;
  veto_class?: VetoClass;
  /** The candidate the decision is about: the best allowed one, else the first. */
  chosen: number | null;
  score: number;
  candidates: CandidateDecision[];
  notes: string[];
  input_digest: string;
  registry_versions: Record<string, number>;
  overrides_applied: number[];
}

const provenanceKeys = ['report_reference', 'verifier', 'evidence_digest', 'source'];
const classRank: Record<VetoClass, number> = { structural: 0, cancelled: 1, transient: 2 };

export function trustNotes(snapshot: TrustSnapshot, now: Date): string[] {
  const notes = [
    `vm:trust-lifecycle=${snapshot.lifecycle_state}`,
    `vm:trust-attestation=${snapshot.attestation_status}`,
    `vm:trust-remediation-attempts=${snapshot.remediation_attempts}`,
  ];
  if (snapshot.remediation_state !== null) notes.push(`vm:trust-remediation-state=${snapshot.remediation_state}`);
  if (snapshot.freshness_deadline !== null) {
    const deadline = new Date(snapshot.freshness_deadline).toISOString();
    notes.push(`vm:trust-freshness=${isStale(snapshot, now) ? 'stale' : 'fresh'}:${deadline}`);
  }
  for (const key of provenanceKeys) {
    const value = snapshot.provenance[key];
    if (typeof value === 'string' && value !== '') notes.push(`vm:trust-provenance=${key}:${value}`);
  }
  return notes;
}

/** A transient veto with a live override for its check becomes an allow that names the override. */
function applyOverride(verdict: CheckVerdict, overrides: PolicyOverride[], now: Date): CheckVerdict {
  if (verdict.verdict !== 'veto' || verdict.class !== 'transient') return verdict;
  const override = overrides.find((o) => o.check === verdict.check && o.expires_at.getTime() > now.getTime());
  if (override === undefined) return verdict;
  return {
    ...verdict,
    verdict: 'allow',
    class: null,
    score: 50,
    reason: `${verdict.reason} (overridden by ${override.actor} until ${override.expires_at.toISOString()}: ${override.reason})`,
    overridden_by: override.id,
  };
}

/** The veto that decides: structural before cancelled before transient, then pipeline order. */
export function decisiveVeto(verdicts: CheckVerdict[]): CheckVerdict | undefined {
  const vetoes = verdicts.filter((v) => v.verdict === 'veto');
  return vetoes.sort((a, b) => classRank[a.class ?? 'transient'] - classRank[b.class ?? 'transient'])[0];
}

/** The notes of one candidate, rendered from its verdicts: trust facts, then one `policy_hook:*` per hook. */
export function renderNotes(candidate: Pick<PolicyCandidate, 'trust'>, verdicts: CheckVerdict[], now: Date): string[] {
  const notes = candidate.trust === undefined ? ['vm:trust-lifecycle=none'] : trustNotes(candidate.trust, now);
  for (const verdict of verdicts) {
    if (verdict.overridden_by !== undefined) notes.push(`policy_hook:override=${verdict.check}:${verdict.overridden_by}`);
    else if (verdict.verdict === 'veto' && verdict.check === 'accelerator-posture') notes.push(`policy_hook:accelerator_gate=${verdict.gate ?? ''}`);
    else if (verdict.verdict === 'veto' && verdict.check === 'tenant-policy') notes.push(`policy_hook:tenant_policy=${verdict.gate ?? ''}`);
  }
  const decisive = decisiveVeto(verdicts);
  notes.push(`policy_hook:remediation_gate=${decisive?.gate ?? 'clear'}`);
  return notes;
}

function weighted(verdicts: CheckVerdict[]): number {
  const total = verdicts.reduce((sum, v) => sum + v.weight, 0);
  return Math.round((verdicts.reduce((sum, v) => sum + v.weight * v.score, 0) / total) * 100) / 100;
}

/** Key-sorted JSON, so equal inputs digest equally whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function inputDigest(input: PolicyInput): string {
  const { candidates, policy, server_status, overrides } = input;
  return `sha256:${createHash('sha256').update(canonicalJson({ candidates, policy, server_status, overrides })).digest('hex')}`;
}

export function evaluateCandidate(candidate: PolicyCandidate, input: PolicyInput): CandidateDecision {
  const checkInput: CheckInput = { trust: candidate.trust, accelerators: candidate.accelerators, policy: input.policy, now: input.now, ...(input.server_status === undefined ? {} : { server_status: input.server_status }) };
  const verdicts = checks.map((check) => applyOverride(check(checkInput), input.overrides, input.now));
  return {
    vm_instance_id: candidate.vm_instance_id,
    allow: verdicts.every((v) => v.verdict === 'allow'),
    score: weighted(verdicts),
    checks: verdicts,
    notes: renderNotes(candidate, verdicts, input.now),
  };
}

/** Allowed when some candidate passes every check; the decision is about the best-scoring allowed one. */
export function decide(input: PolicyInput): PolicyDecision {
  const candidates = (input.candidates.length === 0 ? [{ vm_instance_id: null, trust: undefined, accelerators: [] }] : input.candidates).map((c) => evaluateCandidate(c, input));
  const allowed = candidates.filter((c) => c.allow).sort((a, b) => b.score - a.score);
  const chosen = allowed[0] ?? candidates[0]!;
  const registry_versions: Record<string, number> = {};
  for (const c of input.candidates) if (c.vm_instance_id !== null && c.registry_version !== undefined) registry_versions[String(c.vm_instance_id)] = c.registry_version;
  const overrides_applied = [...new Set(chosen.checks.flatMap((v) => (v.overridden_by === undefined ? [] : [v.overridden_by])))];
  const base = { chosen: chosen.vm_instance_id, score: chosen.score, candidates, notes: chosen.notes, input_digest: inputDigest(input), registry_versions, overrides_applied };
  const blocking = chosen.allow ? undefined : decisiveVeto(chosen.checks);
  if (blocking === undefined) return { allow: true, gate: 'clear', ...base };
  return {
    allow: false,
    gate: blocking.gate ?? blocking.check,
    status: blocking.status ?? 'pending-remediation',
    reason: blocking.reason,
    veto_check: blocking.check,
    ...(blocking.class === null ? {} : { veto_class: blocking.class }),
    ...base,
  };
}
