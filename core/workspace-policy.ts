// The policy gate's rule set. Target posture is judged by the placement gate's own code (core/placement-gate.ts),
// so a workspace is held to the same trust rules as a launch. Every rule is recorded, passed or failed, with its
// severity: a failed hard rule rejects the revision, a failed soft rule waits for an approver's override.
import { evaluatePlacement, type TrustSnapshot } from './placement-gate.ts';
import type { ExecutorType } from './remediation-plan.ts';

export type RuleSeverity = 'hard' | 'soft';

export interface RuleResult {
  rule: string;
  outcome: 'passed' | 'failed';
  severity: RuleSeverity;
  detail: string;
  notes?: string[];
}

export interface PolicyInput {
  executorType: ExecutorType;
  plan: Record<string, unknown>;
  approvalRequired: boolean;
  allowUnsimulated: boolean;
  /** The trust-registry snapshot of every target (undefined: the target has none). */
  targets: { vmInstanceId: number; snapshot: TrustSnapshot | undefined }[];
  now: Date;
}

export interface PolicyVerdict {
  outcome: 'passed' | 'failed';
  /** True when every failed rule is soft, so an approver may override the verdict. */
  overridable: boolean;
  rules: RuleResult[];
}

const rule = (name: string, ok: boolean, severity: RuleSeverity, detail: string, notes?: string[]): RuleResult => ({
  rule: name,
  outcome: ok ? 'passed' : 'failed',
  severity,
  detail,
  ...(notes === undefined ? {} : { notes }),
});

export function evaluatePolicy(input: PolicyInput): PolicyVerdict {
  const rules: RuleResult[] = [
    rule('targets-declared', input.targets.length > 0, 'hard', input.targets.length > 0 ? `${input.targets.length} target(s)` : 'a revision must name at least one target'),
    rule('sandbox-network', input.plan.network !== 'egress', 'soft', input.plan.network === 'egress' ? "the plan asks for the host's network (egress)" : 'no egress'),
    rule('human-approval', input.approvalRequired, 'soft', input.approvalRequired ? 'every staged run waits for an approver' : 'staged runs start without approval'),
    rule('simulation-coverage', !input.allowUnsimulated, 'soft', input.allowUnsimulated ? 'the revision accepts tasks the dry run cannot simulate' : 'every task must be simulated'),
    ...input.targets.map(({ vmInstanceId, snapshot }) => {
      const decision = evaluatePlacement(snapshot, input.now);
      return rule(`target-posture:${vmInstanceId}`, decision.allow, 'soft', decision.allow ? `gate ${decision.gate}` : decision.reason, decision.notes);
    }),
  ];
  const failed = rules.filter((item) => item.outcome === 'failed');
  return { outcome: failed.length === 0 ? 'passed' : 'failed', overridable: failed.every((item) => item.severity === 'soft'), rules };
}
