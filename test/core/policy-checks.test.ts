import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceleratorPostureCheck,
  freshnessCheck,
  remediationGateCheck,
  tenantPolicyCheck,
  trustLifecycleCheck,
  type CheckInput,
  type TrustSnapshot,
} from '../../core/policy-checks.ts';
import { decide, type PolicyInput } from '../../core/policy-engine.ts';
import { lifecycleState } from '../../core/trust-states.ts';

const now = new Date('2026-01-01T12:00:00Z');
const past = '2026-01-01T11:00:00.000Z';
const future = '2026-01-01T13:00:00.000Z';
const trust = (overrides: Partial<TrustSnapshot> = {}): TrustSnapshot => ({
  lifecycle_state: 'trusted',
  attestation_status: 'trusted',
  remediation_state: null,
  remediation_attempts: 0,
  freshness_deadline: future,
  provenance: {},
  ...overrides,
});
const input = (overrides: Partial<CheckInput> = {}): CheckInput => ({ trust: trust(), accelerators: [], policy: {}, now, ...overrides });
const gpu = (posture: string, feedback: string[] = []) => ({ accelerator_id: 'gpu-0', kind: 'nvidia-h100', posture, policy_feedback: feedback, metadata: {} });

describe('trust-lifecycle check', () => {
  it.each([
    ['trusted', 'allow', null, 100],
    ['restored', 'allow', null, 90],
    ['pending', 'allow', null, 80],
    ['suspect', 'allow', null, 60],
    ['remediating', 'allow', null, 40],
    ['retired', 'allow', null, 100],
    ['quarantined', 'veto', 'structural', 0],
  ] as const)('%s → %s (%s), score %d', (state, verdict, vetoClass, score) => {
    expect(trustLifecycleCheck(input({ trust: trust({ lifecycle_state: state }) }))).toMatchObject({ verdict, class: vetoClass, score });
  });
  it('allows a server that never ran', () => {
    expect(trustLifecycleCheck(input({ trust: undefined }))).toMatchObject({ verdict: 'allow', score: 100 });
  });
});

describe('remediation-gate check', () => {
  it.each([
    ['awaiting-approval', 'veto', 'transient', 'active-run:awaiting-approval'],
    ['automation-pending', 'veto', 'transient', 'active-run:automation-pending'],
    ['automation-running', 'veto', 'transient', 'active-run:automation-running'],
    ['automation-complete', 'allow', null, undefined],
    ['automation-failed', 'allow', null, undefined],
    [null, 'allow', null, undefined],
  ] as const)('remediation state %s → %s', (state, verdict, vetoClass, gate) => {
    const result = remediationGateCheck(input({ trust: trust({ lifecycle_state: 'remediating', remediation_state: state }) }));
    expect(result).toMatchObject({ verdict, class: vetoClass });
    expect(result.gate).toBe(gate);
  });
});

describe('freshness check', () => {
  it.each([
    ['fresh trusted', trust(), {}, 'allow', undefined],
    ['stale trusted (routine)', trust({ freshness_deadline: past }), {}, 'allow', undefined],
    ['stale trusted, policy requires fresh', trust({ freshness_deadline: past }), { require_fresh_evidence: true }, 'veto', 'stale-evidence'],
    ['stale suspect window', trust({ lifecycle_state: 'suspect', freshness_deadline: past }), {}, 'veto', 'stale-window'],
    ['stale restored after a run', trust({ lifecycle_state: 'restored', remediation_state: 'automation-complete', freshness_deadline: past }), {}, 'veto', 'stale-window'],
    ['no deadline', trust({ freshness_deadline: null }), {}, 'allow', undefined],
  ] as const)('%s → %s', (_name, snapshot, policy, verdict, gate) => {
    const result = freshnessCheck(input({ trust: snapshot, policy }));
    expect(result.verdict).toBe(verdict);
    expect(result.gate).toBe(gate);
    if (verdict === 'veto') expect(result).toMatchObject({ class: 'transient', status: 'pending-attestation' });
  });
});

describe('accelerator-posture check', () => {
  it.each([
    ['none', [], 'allow', null],
    ['compliant', [gpu('compliant')], 'allow', null],
    ['degraded', [gpu('degraded', ['firmware-outdated'])], 'veto', 'transient'],
    ['revoked', [gpu('revoked')], 'veto', 'structural'],
  ] as const)('%s → %s', (_name, accelerators, verdict, vetoClass) => {
    expect(acceleratorPostureCheck(input({ accelerators: [...accelerators] }))).toMatchObject({ verdict, class: vetoClass });
  });
  it('names each failing accelerator with its feedback', () => {
    const result = acceleratorPostureCheck(input({ accelerators: [gpu('degraded', ['firmware-outdated']), { ...gpu('compliant'), accelerator_id: 'gpu-1' }] }));
    expect(result.reason).toBe('accelerator gpu-0 (nvidia-h100) is degraded: firmware-outdated');
    expect(result.gate).toBe('accelerator:gpu-0');
  });
});

describe('tenant-policy check', () => {
  it.each([
    ['default', {}, 'trusted', 'launch-requested', 'allow', null],
    ['suspect not allowed', { allow_suspect: false }, 'suspect', 'launch-requested', 'veto', 'transient'],
    ['suspect allowed', { allow_suspect: true }, 'suspect', 'launch-requested', 'allow', null],
    ['stop requested', {}, 'trusted', 'stopping', 'veto', 'cancelled'],
  ] as const)('%s → %s', (_name, policy, lifecycle, serverStatus, verdict, vetoClass) => {
    expect(tenantPolicyCheck(input({ policy, trust: trust({ lifecycle_state: lifecycle }), server_status: serverStatus }))).toMatchObject({ verdict, class: vetoClass });
  });
});

const policyInput = (overrides: Partial<PolicyInput> = {}): PolicyInput => ({
  candidates: [{ vm_instance_id: 7, trust: trust(), registry_version: 3, accelerators: [] }],
  policy: {},
  overrides: [],
  now,
  ...overrides,
});

describe('policy engine decision', () => {
  it('lists every check verdict per candidate, the registry versions read and a stable input digest', () => {
    const decision = decide(policyInput({ candidates: [
      { vm_instance_id: 7, trust: trust({ lifecycle_state: 'quarantined' }), registry_version: 3, accelerators: [] },
      { vm_instance_id: 8, trust: trust(), registry_version: 5, accelerators: [] },
    ] }));
    expect(decision.candidates.map((c) => c.checks.map((v) => `${v.check}:${v.verdict}`))).toEqual([
      ['trust-lifecycle:veto', 'remediation-gate:allow', 'freshness:allow', 'accelerator-posture:allow', 'tenant-policy:allow'],
      ['trust-lifecycle:allow', 'remediation-gate:allow', 'freshness:allow', 'accelerator-posture:allow', 'tenant-policy:allow'],
    ]);
    expect(decision).toMatchObject({ allow: true, chosen: 8, registry_versions: { '7': 3, '8': 5 }, score: 100 });
    expect(decision.input_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reordered = { now, overrides: [], policy: {}, candidates: [
      { accelerators: [], registry_version: 3, trust: trust({ lifecycle_state: 'quarantined' }), vm_instance_id: 7 },
      { accelerators: [], registry_version: 5, trust: trust(), vm_instance_id: 8 },
    ] };
    expect(decide(reordered).input_digest).toBe(decision.input_digest);
    expect(decide(policyInput()).input_digest).not.toBe(decision.input_digest);
  });

  it('blocks on the structural veto first and renders the notes from the verdicts', () => {
    const decision = decide(policyInput({ candidates: [{ vm_instance_id: 7, trust: trust({ lifecycle_state: 'quarantined', remediation_state: 'automation-running' }), accelerators: [gpu('degraded')] }] }));
    expect(decision).toMatchObject({ allow: false, gate: 'quarantined', veto_check: 'trust-lifecycle', veto_class: 'structural', status: 'pending-remediation' });
    expect(decision.notes).toContain('policy_hook:accelerator_gate=accelerator:gpu-0');
    expect(decision.notes.at(-1)).toBe('policy_hook:remediation_gate=quarantined');
  });

  it('an override of a transient veto allows until it expires', () => {
    const expiry = new Date(now.getTime() + 60_000);
    const running = [{ vm_instance_id: 7, trust: trust({ lifecycle_state: 'remediating', remediation_state: 'automation-running' }), accelerators: [] }];
    const overrides = [{ id: 11, check: 'remediation-gate' as const, actor: 'alice', reason: 'maintenance window', expires_at: expiry }];
    const overridden = decide(policyInput({ candidates: running, overrides }));
    expect(overridden).toMatchObject({ allow: true, overrides_applied: [11] });
    expect(overridden.candidates[0]!.checks[1]).toMatchObject({ verdict: 'allow', overridden_by: 11 });
    expect(overridden.notes).toContain('policy_hook:override=remediation-gate:11');
    const later = decide(policyInput({ candidates: running, overrides, now: new Date(expiry.getTime() + 1) }));
    expect(later).toMatchObject({ allow: false, gate: 'active-run:automation-running', veto_class: 'transient', overrides_applied: [] });
  });

  it('an override of a structural veto changes nothing', () => {
    const overrides = [{ id: 12, check: 'trust-lifecycle' as const, actor: 'alice', reason: 'please', expires_at: new Date(now.getTime() + 60_000) }];
    const decision = decide(policyInput({ candidates: [{ vm_instance_id: 7, trust: trust({ lifecycle_state: 'quarantined' }), accelerators: [] }], overrides }));
    expect(decision).toMatchObject({ allow: false, gate: 'quarantined', veto_class: 'structural', overrides_applied: [] });
  });

  it('property: allowed exactly when the chosen candidate has no veto; structural vetoes survive any override', () => {
    const snapshot = fc.record({
      lifecycle_state: fc.constantFrom(...lifecycleState.options),
      attestation_status: fc.constantFrom('trusted', 'untrusted', 'unknown'),
      remediation_state: fc.constantFrom(null, 'awaiting-approval', 'automation-running', 'automation-complete', 'automation-failed'),
      remediation_attempts: fc.nat(10),
      freshness_deadline: fc.constantFrom(past, future, null),
      provenance: fc.constant({}),
    });
    const check = fc.constantFrom('trust-lifecycle', 'remediation-gate', 'freshness', 'accelerator-posture', 'tenant-policy' as const);
    fc.assert(
      fc.property(snapshot, fc.constantFrom('compliant', 'degraded', 'revoked'), fc.array(check, { maxLength: 5 }), (t, posture, checks) => {
        const overrides = checks.map((c, i) => ({ id: i + 1, check: c, actor: 'a', reason: 'r', expires_at: new Date(now.getTime() + 1000) }));
        const decision = decide(policyInput({ candidates: [{ vm_instance_id: 1, trust: t as TrustSnapshot, accelerators: [gpu(posture)] }], overrides }));
        const verdicts = decision.candidates[0]!.checks;
        expect(decision.allow).toBe(verdicts.every((v) => v.verdict === 'allow'));
        if (t.lifecycle_state === 'quarantined' || posture === 'revoked') expect(decision).toMatchObject({ allow: false, veto_class: 'structural' });
        expect(decision.score).toBeGreaterThanOrEqual(0);
        expect(decision.score).toBeLessThanOrEqual(100);
      }),
    );
  });
});
