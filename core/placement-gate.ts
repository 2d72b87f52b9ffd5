// The placement gate: from a server's latest trust-registry snapshot, decide whether a VM may be launched, and say why
// in placement notes (`vm:trust-*` facts, one `policy_hook:remediation_gate=*` verdict). The checks themselves are
// core/policy-checks.ts, run by core/policy-engine.ts; this is the trust-only entry point and the lifecycle badge.
import { decide, trustNotes } from './policy-engine.ts';
import { isStale, type BlockedStatus, type TrustSnapshot } from './policy-checks.ts';
import type { LifecycleState } from './trust-states.ts';

export { isStale, trustNotes, type BlockedStatus, type TrustSnapshot };

export type PlacementDecision =
  | { allow: true; gate: string; notes: string[] }
  | { allow: false; gate: string; status: BlockedStatus; reason: string; notes: string[] };

/**
 * The trust-only gate over one snapshot (no accelerators, tenant policy or overrides): the policy engine's
 * pipeline with a single candidate. No snapshot means the server never ran: nothing to veto.
 */
export function evaluatePlacement(snapshot: TrustSnapshot | undefined, now: Date): PlacementDecision {
  const decision = decide({ candidates: [{ vm_instance_id: null, trust: snapshot, accelerators: [] }], policy: {}, overrides: [], now });
  if (decision.allow) return { allow: true, gate: decision.gate, notes: decision.notes };
  return { allow: false, gate: decision.gate, status: decision.status ?? 'pending-remediation', reason: decision.reason ?? decision.gate, notes: decision.notes };
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
