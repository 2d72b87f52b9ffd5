import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, isStale, type TrustEvent, type TrustSnapshot } from '../../core/lifecycle.ts';
import { attestationStatus, lifecycleState, remediationState } from '../../core/trust-states.ts';

export const trustEventArb: fc.Arbitrary<TrustEvent> = fc.oneof(
  fc.record({ kind: fc.constant('attestation' as const), status: fc.constantFrom(...attestationStatus.options), observedAt: fc.date({ min: new Date('2030-01-01'), max: new Date('2031-01-01'), noInvalidDate: true }) }),
  fc.record({ kind: fc.constant('operator' as const), target: fc.constantFrom(...lifecycleState.options) }),
  fc.record({ kind: fc.constant('remediation' as const), state: fc.constantFrom(...remediationState.options) }),
);

const initial: TrustSnapshot = { lifecycle_state: 'pending', attestation_status: 'unknown', remediation_state: null, remediation_attempts: 0, freshness_deadline: null };

function run(events: TrustEvent[]) {
  let state = initial;
  const trace: { before: TrustSnapshot; event: TrustEvent; after: TrustSnapshot; ok: boolean }[] = [];
  for (const event of events) {
    const step = applyEvent(state, event, 3600);
    trace.push({ before: state, event, after: step.ok ? step.next : state, ok: step.ok });
    if (step.ok) state = step.next;
  }
  return { state, trace };
}

describe('lifecycle state machine (properties)', () => {
  it('leaves any event sequence in a legal state', () => {
    fc.assert(
      fc.property(fc.array(trustEventArb, { maxLength: 60 }), (events) => {
        const { state } = run(events);
        expect(lifecycleState.safeParse(state.lifecycle_state).success).toBe(true);
        expect(attestationStatus.safeParse(state.attestation_status).success).toBe(true);
        expect(state.remediation_state === null || remediationState.safeParse(state.remediation_state).success).toBe(true);
        expect(state.remediation_attempts).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('reaches trusted only through trusted evidence', () => {
    fc.assert(
      fc.property(fc.array(trustEventArb, { maxLength: 60 }), (events) => {
        for (const step of run(events).trace) {
          if (step.ok && step.after.lifecycle_state === 'trusted' && step.before.lifecycle_state !== 'trusted') {
            expect(step.event).toMatchObject({ kind: 'attestation', status: 'trusted' });
          }
        }
      }),
    );
  });

  it('never lets unknown evidence change the lifecycle, upgrade an untrusted posture, or refresh freshness', () => {
    fc.assert(
      fc.property(fc.array(trustEventArb, { maxLength: 60 }), (events) => {
        for (const step of run(events).trace) {
          if (step.event.kind !== 'attestation' || step.event.status !== 'unknown' || !step.ok) continue;
          expect(step.after.lifecycle_state).toBe(step.before.lifecycle_state);
          expect(step.after.freshness_deadline).toBe(step.before.freshness_deadline);
          if (step.before.attestation_status === 'untrusted') expect(step.after.attestation_status).toBe('untrusted');
          expect(step.after.attestation_status).not.toBe('trusted');
        }
      }),
    );
  });

  it('counts remediation attempts monotonically and leaves retired terminal', () => {
    fc.assert(
      fc.property(fc.array(trustEventArb, { maxLength: 60 }), (events) => {
        for (const step of run(events).trace) {
          expect(step.after.remediation_attempts).toBeGreaterThanOrEqual(step.before.remediation_attempts);
          if (step.before.lifecycle_state === 'retired') expect(step.ok).toBe(false);
        }
      }),
    );
  });

  it('calls an instance stale only after its deadline', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: -1e9, max: 1e9 }), (deadline, offset) => {
        const now = new Date(deadline.getTime() + offset);
        expect(isStale(deadline, now)).toBe(offset > 0);
      }),
    );
  });
});
