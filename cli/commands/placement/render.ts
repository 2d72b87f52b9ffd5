// How a placement decision prints: the outcome as a record, every check verdict per candidate as a table.
export interface DecisionView {
  decision_id: string;
  allow: boolean;
  gate: string;
  reason: string | null;
  veto_check: string | null;
  veto_class: string | null;
  score: number;
  created_at: string;
  overrides_applied: number[];
  candidates: { vm_instance_id: number | null; checks: { check: string; verdict: string; class: string | null; score: number; reason: string }[] }[];
}

export function decisionRecord(decision: DecisionView): Record<string, unknown> {
  return {
    decision_id: decision.decision_id,
    decided_at: decision.created_at,
    outcome: decision.allow ? 'allowed' : `blocked by ${decision.veto_check ?? '?'} (${decision.veto_class ?? '?'})`,
    gate: decision.gate,
    reason: decision.reason,
    score: decision.score,
    overrides: decision.overrides_applied.length > 0 ? decision.overrides_applied.join(', ') : null,
  };
}

export function verdictRows(decision: DecisionView): Record<string, unknown>[] {
  return decision.candidates.flatMap((candidate) => candidate.checks.map((check) => ({ vm_instance_id: candidate.vm_instance_id, ...check })));
}
