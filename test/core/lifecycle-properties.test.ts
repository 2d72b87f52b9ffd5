import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, isStale, type TrustEvent, type TrustSnapshot } from '../../core/lifecycle.ts';
import { attestationStatus, lifecycleState, remediationState, type AttestationStatus } from '../../core/trust-states.ts';

export const trustEventArb: fc.Arbitrary<TrustEvent> = fc.oneof(
  fc.record({ kind: fc.constant('attestation' as const), status: fc.constantFrom(...attestationStatus.options), observedAt: fc.date({ min: new Date('2030-01-01'), max: new Date('2031-01-01'), noInvalidDate: true }) }),
  fc.record({ kind: fc.constant('operator' as const), target: fc.constantFrom(...lifecycleState.options) }),
  fc.record({ kind: fc.constant('remediation' as const), state: fc.constantFrom(...remediationState.options) }),
);

const initial: TrustSnapshot = { lifecycle_state: 'pending', attestation_status: 'unknown', remediation_state: null, remediation_attempts: 0, freshness_deadline: null, evidence_observed_at: null };

function run(events: TrustEvent[]) {
  let state = initial;
  const trace: { before: TrustSnapshot; event: TrustEvent; after: TrustSnapshot; ok: boolean; outOfOrder: boolean }[] = [];
  for (const event of events) {
    const step = applyEvent(state, event, 3600);
    trace.push({ before: state, event, after: step.ok ? step.next : state, ok: step.ok, outOfOrder: step.ok && step.outOfOrder });
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
          // Out of order it changes nothing at all (see below); in order it never reads as trusted.
          if (!step.outOfOrder) expect(step.after.attestation_status).not.toBe('trusted');
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

  /*
   * Shuffled evidence. For any set of attestation outcomes (distinct observation times) delivered in any order,
   * interleaved with any other events:
   *  1. the evidence mark and the freshness deadline never move backwards, at any step;
   *  2. evidence older than the mark changes nothing (lifecycle, status, deadline, mark), and is flagged;
   *  3. delivered in observed order, no outcome is flagged.
   * With attestations alone (all legal from a non-retired start):
   *  4. the final mark and deadline equal those of delivery in observed order;
   *  5. the final lifecycle is the one reached by applying, in observed order, exactly the decided outcomes that
   *     were applied: the lifecycle only ever moves along evidence in observed order.
   * The final lifecycle itself can differ from observed-order delivery (newer evidence that arrives first
   * makes older evidence moot, where in observed order the older would have moved the state first).
   */
  const evidenceSet = fc.uniqueArray(
    fc.record({ status: fc.constantFrom(...attestationStatus.options), at: fc.integer({ min: 0, max: 86_400 }) }),
    { selector: (evidence) => evidence.at, minLength: 1, maxLength: 12 },
  );
  const toEvent = ({ status, at }: { status: AttestationStatus; at: number }): TrustEvent => ({
    kind: 'attestation',
    status,
    observedAt: new Date(Date.UTC(2030, 0, 1) + at * 1000),
  });
  const byTime = <T extends { at: number }>(list: T[]) => [...list].sort((a, b) => a.at - b.at);
  const time = (date: Date | null) => date?.getTime() ?? -Infinity;

  it('never moves the evidence mark or the deadline backwards, and lets older evidence move nothing', () => {
    fc.assert(
      // Attestations with random observation times in random order, mixed with operator and remediation events.
      fc.property(fc.array(trustEventArb, { maxLength: 60 }), evidenceSet, (events, set) => {
        for (const step of run(events).trace) {
          expect(time(step.after.evidence_observed_at)).toBeGreaterThanOrEqual(time(step.before.evidence_observed_at));
          expect(time(step.after.freshness_deadline)).toBeGreaterThanOrEqual(time(step.before.freshness_deadline));
          if (step.outOfOrder) expect(step.after).toEqual(step.before);
        }
        expect(run(byTime(set).map(toEvent)).trace.some((step) => step.outOfOrder)).toBe(false);
      }),
    );
  });

  it('ends with the mark and deadline of observed order, and a lifecycle moved only by evidence in observed order', () => {
    type Evidence = { status: AttestationStatus; at: number };
    const start = fc.constantFrom(...lifecycleState.options.filter((state) => state !== 'retired'));
    const setAndDelivery = evidenceSet.chain((set) => fc.tuple(fc.constant(set), fc.shuffledSubarray(set, { minLength: set.length, maxLength: set.length })));
    fc.assert(
      fc.property(setAndDelivery, start, ([set, delivery], from) => {
        /** Deliver in the given order; returns the final snapshot and the decided evidence that was applied. */
        const deliver = (list: Evidence[]) => {
          let state: TrustSnapshot = { ...initial, lifecycle_state: from };
          const applied: Evidence[] = [];
          for (const evidence of list) {
            const step = applyEvent(state, toEvent(evidence), 3600);
            if (!step.ok) throw new Error(`attestations are legal from ${state.lifecycle_state}`);
            if (!step.outOfOrder && evidence.status !== 'unknown') applied.push(evidence);
            state = step.next;
          }
          return { state, applied };
        };
        const shuffled = deliver(delivery);
        const ordered = deliver(byTime(set));
        expect(shuffled.state.evidence_observed_at).toEqual(ordered.state.evidence_observed_at);
        expect(shuffled.state.freshness_deadline).toEqual(ordered.state.freshness_deadline);
        expect(shuffled.applied).toEqual(byTime(shuffled.applied));
        expect(deliver(shuffled.applied).state.lifecycle_state).toBe(shuffled.state.lifecycle_state);
      }),
    );
  });
});
