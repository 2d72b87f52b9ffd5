import { describe, expect, it } from 'vitest';
import { evaluatePlacement, type TrustSnapshot } from '../../core/placement-gate.ts';

const now = new Date('2026-01-01T12:00:00Z');
const past = '2026-01-01T11:00:00.000Z';
const future = '2026-01-01T13:00:00.000Z';
const snapshot = (overrides: Partial<TrustSnapshot>): TrustSnapshot => ({
  lifecycle_state: 'trusted',
  attestation_status: 'trusted',
  remediation_state: null,
  remediation_attempts: 0,
  freshness_deadline: future,
  provenance: {},
  ...overrides,
});

describe('placement gate', () => {
  it('lets a server that never ran launch', () => {
    expect(evaluatePlacement(undefined, now)).toMatchObject({ allow: true, notes: ['vm:trust-lifecycle=none', 'policy_hook:remediation_gate=clear'] });
  });

  it('blocks a quarantined instance into pending-remediation with the reasons as notes', () => {
    const decision = evaluatePlacement(snapshot({ lifecycle_state: 'quarantined', attestation_status: 'untrusted', remediation_attempts: 2, provenance: { verifier: 'snp-v1' } }), now);
    expect(decision).toMatchObject({ allow: false, status: 'pending-remediation', gate: 'quarantined' });
    expect(decision.notes).toEqual([
      'vm:trust-lifecycle=quarantined',
      'vm:trust-attestation=untrusted',
      'vm:trust-remediation-attempts=2',
      `vm:trust-freshness=fresh:${future}`,
      'vm:trust-provenance=verifier:snp-v1',
      'policy_hook:remediation_gate=quarantined',
    ]);
  });

  it.each(['awaiting-approval', 'automation-pending', 'automation-running'])('blocks while a remediation run is %s', (state) => {
    const decision = evaluatePlacement(snapshot({ lifecycle_state: 'remediating', remediation_state: state }), now);
    expect(decision).toMatchObject({ allow: false, status: 'pending-remediation', gate: `active-run:${state}` });
  });

  it.each([
    ['suspect', null],
    ['remediating', 'automation-failed'],
    ['restored', 'automation-complete'],
  ] as const)('blocks a stale remediation window (%s, %s) into pending-attestation', (lifecycle, remediation) => {
    const decision = evaluatePlacement(snapshot({ lifecycle_state: lifecycle, remediation_state: remediation, freshness_deadline: past }), now);
    expect(decision).toMatchObject({ allow: false, status: 'pending-attestation', gate: 'stale-window' });
    expect(decision.notes).toContain(`vm:trust-freshness=stale:${past}`);
  });

  it('lets a trusted instance with routine stale evidence relaunch, noting the staleness', () => {
    const decision = evaluatePlacement(snapshot({ freshness_deadline: past }), now);
    expect(decision).toMatchObject({ allow: true, gate: 'clear' });
    expect(decision.notes).toContain(`vm:trust-freshness=stale:${past}`);
  });

  it('lets a suspect instance inside its window launch', () => {
    expect(evaluatePlacement(snapshot({ lifecycle_state: 'suspect' }), now)).toMatchObject({ allow: true });
  });
});
