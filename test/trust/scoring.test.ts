import { describe, expect, it } from 'vitest';
import { scorePosture, type PostureInput } from '../../core/scoring.ts';

const now = new Date('2030-01-02T00:00:00Z');
const healthy: PostureInput = { vm_instance_id: 1, lifecycle_state: 'trusted', attestation_status: 'trusted', remediation_attempts: 0, freshness_deadline: new Date('2030-01-03T00:00:00Z') };

describe('intelligence score', () => {
  it('gives a fresh trusted instance full marks', () => {
    expect(scorePosture([healthy], now).score).toBe(100);
  });

  it('penalises remediation churn and stale evidence, and takes the weakest instance', () => {
    const churned = { ...healthy, vm_instance_id: 2, lifecycle_state: 'restored' as const, remediation_attempts: 2, freshness_deadline: new Date('2030-01-01T21:00:00Z') };
    const result = scorePosture([healthy, churned], now);
    expect(result.score).toBe(100 - 10 - 10 - (10 + 3));
    expect(result.notes).toEqual(expect.arrayContaining(['vm:trust-lifecycle=restored', 'vm:trust-remediation-attempts=2', 'vm:trust-stale-hours=3']));
  });

  it('scores a server without instances as 0', () => {
    expect(scorePosture([], now).score).toBe(0);
  });
});
