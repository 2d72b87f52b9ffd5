// What an evaluation says about a blocked server beyond the decision itself: for each veto, what would lift it.
// Pure, so the table in docs/policy.md and the test of every check stay in step.
import type { CheckVerdict } from './policy-checks.ts';

export interface UnblockHint {
  check: string;
  class: string | null;
  reason: string;
  overridable: boolean;
  unblock: string;
}

function hint(verdict: CheckVerdict): string {
  const gate = verdict.gate ?? '';
  switch (verdict.check) {
    case 'trust-lifecycle':
      return 'only remediation lifts a quarantine: a run that completes (automation-complete → restored), or an operator move to remediating followed by trusted attestation evidence';
    case 'remediation-gate':
      return gate === 'active-run:awaiting-approval'
        ? 'an approver approves (or denies) the pending remediation run; or override remediation-gate until it finishes'
        : 'the remediation run under way finishes; or override remediation-gate until it does';
    case 'freshness':
      return 'fresh attestation evidence (POST /api/trust/attestations) moves the freshness deadline; or override freshness for a bounded time';
    case 'accelerator-posture':
      return verdict.class === 'structural'
        ? `replace or re-provision the ${gate.replace('accelerator:', 'accelerator(s) ')}: a revoked or tampered device cannot be overridden`
        : `record a compliant posture for ${gate.replace('accelerator:', 'accelerator(s) ')} (PUT /api/trust/registry/:vm_instance_id/accelerators); or override accelerator-posture`;
    case 'tenant-policy':
      return verdict.class === 'cancelled'
        ? 'the server is being stopped: request a launch again'
        : 'trusted evidence moves the instance out of suspect; or the tenant changes metadata.placement_policy.allow_suspect';
  }
}

/** One entry per veto of the decision's chosen candidate, in pipeline order. */
export function unblockHints(checks: CheckVerdict[]): UnblockHint[] {
  return checks
    .filter((verdict) => verdict.verdict === 'veto')
    .map((verdict) => ({ check: verdict.check, class: verdict.class, reason: verdict.reason, overridable: verdict.class === 'transient', unblock: hint(verdict) }));
}
