// The placement gate: from a server's latest trust-registry snapshot, decide whether a VM may be launched, and say why
// in placement notes (`vm:trust-*` facts, one `policy_hook:remediation_gate=*` verdict).
import type { LifecycleState } from './trust-states.ts';

export interface TrustSnapshot {
  lifecycle_state: LifecycleState;
  attestation_status: string;
  remediation_state: string | null;
  remediation_attempts: number;
  freshness_deadline: Date | string | null;
  provenance: Record<string, unknown>;
}

export type BlockedStatus = 'pending-remediation' | 'pending-attestation';

export type PlacementDecision =
  | { allow: true; gate: string; notes: string[] }
  | { allow: false; gate: string; status: BlockedStatus; reason: string; notes: string[] };

/** Remediation states in which a run is still deciding the instance's fate. */
const activeRunStates = new Set(['awaiting-approval', 'automation-pending', 'automation-running']);
/** Lifecycles in which the freshness deadline is a remediation window, not just routine re-attestation. */
const remediationLifecycles = new Set<LifecycleState>(['suspect', 'remediating']);
const provenanceKeys = ['report_reference', 'verifier', 'evidence_digest', 'source'];

export function isStale(snapshot: Pick<TrustSnapshot, 'freshness_deadline'>, now: Date): boolean {
  return snapshot.freshness_deadline !== null && new Date(snapshot.freshness_deadline).getTime() < now.getTime();
}

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

function block(status: BlockedStatus, gate: string, reason: string, notes: string[]): PlacementDecision {
  return { allow: false, status, gate, reason, notes: [...notes, `policy_hook:remediation_gate=${gate}`] };
}

/** No snapshot means the server never ran: nothing to veto. */
export function evaluatePlacement(snapshot: TrustSnapshot | undefined, now: Date): PlacementDecision {
  if (snapshot === undefined) return { allow: true, gate: 'clear', notes: ['vm:trust-lifecycle=none', 'policy_hook:remediation_gate=clear'] };
  const notes = trustNotes(snapshot, now);
  if (snapshot.lifecycle_state === 'quarantined') {
    return block('pending-remediation', 'quarantined', 'the instance is quarantined until remediation restores it', notes);
  }
  if (snapshot.remediation_state !== null && activeRunStates.has(snapshot.remediation_state)) {
    return block('pending-remediation', `active-run:${snapshot.remediation_state}`, `a remediation run is ${snapshot.remediation_state}`, notes);
  }
  const inRemediation = snapshot.remediation_state !== null || remediationLifecycles.has(snapshot.lifecycle_state);
  if (inRemediation && isStale(snapshot, now)) {
    return block('pending-attestation', 'stale-window', 'the remediation window has passed without fresh attestation evidence', notes);
  }
  return { allow: true, gate: 'clear', notes: [...notes, 'policy_hook:remediation_gate=clear'] };
}

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'neutral';

export function lifecycleBadge(state: LifecycleState): { label: LifecycleState; tone: BadgeTone } {
  const tone: Record<LifecycleState, BadgeTone> = {
    pending: 'neutral',
    trusted: 'ok',
    restored: 'ok',
    suspect: 'warn',
    remediating: 'warn',
    quarantined: 'danger',
    retired: 'neutral',
  };
  return { label: state, tone: tone[state] };
}
