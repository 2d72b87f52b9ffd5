// What a gate judged, and whether it still holds: each snapshot binds the plan digest, the catalog playbook version
// and the trust-registry versions it read; a promotion compares them with the facts as they are now.
import type { ValidationGate } from './workspace-gate.ts';

export interface Bindings {
  plan_sha256: string;
  playbook_version: number | null;
  registry_versions: Record<string, number>;
}

export interface BindingChange {
  gate: ValidationGate;
  field: 'plan_sha256' | 'playbook_version' | `registry_versions.${string}`;
  judged: string | number | null;
  current: string | number | null;
}

/** Every binding of `judged` that differs now; an empty list means the gate still holds. */
export function bindingChanges(gate: ValidationGate, judged: Bindings, current: Bindings): BindingChange[] {
  const changes: BindingChange[] = [];
  if (judged.plan_sha256 !== current.plan_sha256) changes.push({ gate, field: 'plan_sha256', judged: judged.plan_sha256, current: current.plan_sha256 });
  if (judged.playbook_version !== current.playbook_version) {
    changes.push({ gate, field: 'playbook_version', judged: judged.playbook_version, current: current.playbook_version });
  }
  for (const [instance, version] of Object.entries(judged.registry_versions)) {
    const now = current.registry_versions[instance] ?? null;
    if (now !== version) changes.push({ gate, field: `registry_versions.${instance}`, judged: version, current: now });
  }
  return changes;
}

export function describeChanges(changes: BindingChange[]): string {
  return changes.map((change) => `${change.gate}: ${change.field} was ${String(change.judged)}, now ${String(change.current)}`).join('; ');
}
