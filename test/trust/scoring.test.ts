import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHURN_CLEAN_PERIOD_MS, CHURN_HALF_LIFE_MS, scorePosture, type PostureInput } from '../../core/scoring.ts';
import { lifecycleState } from '../../core/trust-states.ts';

const now = new Date('2030-01-02T00:00:00Z');
const provenance = { verifier: 'snp', evidence_digest: 'sha256:aa', report_reference: 'r-1' };
const healthy: PostureInput = { vm_instance_id: 1, lifecycle_state: 'trusted', attestation_status: 'trusted', remediation_attempts: 0, freshness_deadline: new Date('2030-01-03T00:00:00Z'), provenance };
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3_600_000);
const sum = (points: number[]) => Math.round(points.reduce((a, b) => a + b, 0) * 100) / 100;

describe('intelligence score', () => {
  it('gives a fresh trusted instance with full provenance full marks and no penalties', () => {
    expect(scorePosture([healthy], now)).toMatchObject({ score: 100, penalties: [] });
  });

  it('itemises lifecycle, churn, stale evidence and provenance gaps, and takes the weakest instance', () => {
    const churned: PostureInput = { ...healthy, vm_instance_id: 2, lifecycle_state: 'restored', remediation_attempts: 2, remediation_started_at: [daysAgo(1), daysAgo(2)], freshness_deadline: new Date('2030-01-01T21:00:00Z'), provenance: { verifier: 'snp' } };
    const result = scorePosture([healthy, churned], now);
    expect(result.penalties.map((p) => [p.cause, p.points])).toEqual([
      ['lifecycle', 10],
      ['remediation-churn', 12.5],
      ['stale-evidence', 13],
      ['provenance-gap', 6],
    ]);
    expect(result.score).toBe(100 - 10 - 12.5 - 13 - 6);
    expect(result.notes).toEqual(expect.arrayContaining(['vm:trust-lifecycle=restored', 'vm:trust-remediation-attempts=2', 'vm:trust-stale-hours=3']));
  });

  it('churn grows with repeated remediations and decays after a clean period', () => {
    const churn = (started: Date[]) => scorePosture([{ ...healthy, remediation_attempts: started.length, remediation_started_at: started }], now).penalties.find((p) => p.cause === 'remediation-churn')?.points ?? 0;
    expect(churn([daysAgo(1)])).toBe(5);
    expect(churn([daysAgo(1), daysAgo(1)])).toBe(12.5);
    expect(churn([daysAgo(1), daysAgo(1), daysAgo(1)])).toBe(22.5);
    const cleanDays = CHURN_CLEAN_PERIOD_MS / 86_400_000;
    expect(churn([daysAgo(cleanDays)])).toBe(5);
    expect(churn([daysAgo(cleanDays + CHURN_HALF_LIFE_MS / 86_400_000)])).toBe(2.5);
    expect(churn([daysAgo(365)])).toBe(0);
  });

  it('scores a server without instances as 0 with the reason', () => {
    expect(scorePosture([], now)).toMatchObject({ score: 0, penalties: [{ cause: 'no-instance', points: 100 }] });
  });

  const posture = fc.record({
    vm_instance_id: fc.integer({ min: 1, max: 5 }),
    lifecycle_state: fc.constantFrom(...lifecycleState.options),
    attestation_status: fc.constantFrom('trusted', 'untrusted', 'unknown' as const),
    remediation_attempts: fc.nat(20),
    remediation_started_at: fc.array(fc.integer({ min: 0, max: 60 }).map(daysAgo), { maxLength: 20 }),
    freshness_deadline: fc.option(fc.integer({ min: -200, max: 48 }).map((h) => new Date(now.getTime() + h * 3_600_000)), { nil: null }),
    provenance: fc.constantFrom({}, provenance, { verifier: 'x' }),
  });

  it('property: the score is in [0, 100] and the penalties sum to 100 − score', () => {
    fc.assert(
      fc.property(fc.array(posture, { maxLength: 4 }), (instances) => {
        const result = scorePosture(instances, now);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
        expect(sum(result.penalties.map((p) => p.points))).toBe(Math.round((100 - result.score) * 100) / 100);
        for (const penalty of result.penalties) expect(penalty.points).toBeGreaterThan(0);
      }),
    );
  });

  it('property: more churn (another remediation, at any age) never raises the score', () => {
    fc.assert(
      fc.property(fc.array(posture, { minLength: 1, maxLength: 3 }), fc.nat(2), fc.integer({ min: 0, max: 60 }), (instances, which, age) => {
        const index = which % instances.length;
        const more = instances.map((instance, i) =>
          i === index ? { ...instance, remediation_attempts: instance.remediation_attempts + 1, remediation_started_at: [...(instance.remediation_started_at ?? []), daysAgo(age)] } : instance,
        );
        expect(scorePosture(more, now).score).toBeLessThanOrEqual(scorePosture(instances, now).score);
      }),
    );
  });
});
