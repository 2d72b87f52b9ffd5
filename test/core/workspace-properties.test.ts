import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gateEvent, gateStatus, isSatisfied, validationGates } from '../../core/workspace-gate.ts';
import { applyRevisionEvent, initialRevision, revisionState, revisionStatus, type RevisionEvent, type RevisionSnapshot } from '../../core/workspace-revision.ts';

const eventArb: fc.Arbitrary<RevisionEvent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('gate' as const), gate: fc.constantFrom(...validationGates), event: fc.constantFrom(...gateEvent.options), hard: fc.boolean() }) },
  fc.constant({ kind: 'promote' as const }),
  fc.constant({ kind: 'promotion-succeeded' as const }),
  fc.constant({ kind: 'promotion-failed' as const }),
  fc.record({ kind: fc.constant('promotion-stale' as const), gates: fc.subarray([...validationGates]) }),
  fc.constant({ kind: 'supersede' as const }),
  fc.constant({ kind: 'abandon' as const }),
);

function trace(events: RevisionEvent[]) {
  let state: RevisionSnapshot = initialRevision;
  const steps: { before: RevisionSnapshot; event: RevisionEvent; after: RevisionSnapshot; ok: boolean }[] = [];
  for (const event of events) {
    const step = applyRevisionEvent(state, event);
    steps.push({ before: state, event, after: step.ok ? step.next : state, ok: step.ok });
    if (step.ok) state = step.next;
  }
  return steps;
}

const sequences = fc.array(eventArb, { maxLength: 80 });

describe('workspace revision state machine (properties)', () => {
  it('leaves any gate-event sequence in a legal state', () => {
    fc.assert(fc.property(sequences, (events) => {
      for (const { after } of trace(events)) {
        expect(revisionState.safeParse(after.state).success).toBe(true);
        for (const status of Object.values(after.gates)) expect(gateStatus.safeParse(status).success).toBe(true);
        if (after.state === 'ready') for (const gate of validationGates) expect(isSatisfied(after.gates[gate])).toBe(true);
      }
    }));
  });

  it('never offers an illegal move, and offers every legal one', () => {
    fc.assert(fc.property(sequences, (events) => {
      for (const { after } of trace(events)) {
        const { actions } = revisionStatus(after);
        expect(actions.can_promote).toBe(applyRevisionEvent(after, { kind: 'promote' }).ok);
        expect(actions.can_simulate).toBe(applyRevisionEvent(after, { kind: 'gate', gate: 'simulation', event: 'start' }).ok);
        expect(actions.can_override).toBe(applyRevisionEvent(after, { kind: 'gate', gate: 'policy', event: 'override' }).ok);
        expect(actions.can_abandon).toBe(applyRevisionEvent(after, { kind: 'abandon' }).ok);
      }
    }));
  });

  it('never promotes with an inconclusive, failed or stale gate', () => {
    fc.assert(fc.property(sequences, (events) => {
      for (const { before, event, ok } of trace(events)) {
        if (!ok || event.kind !== 'promote') continue;
        for (const gate of validationGates) expect(['passed', 'overridden']).toContain(before.gates[gate]);
      }
    }));
  });

  it('revokes ready on any failed or inconclusive re-validation', () => {
    fc.assert(fc.property(sequences, (events) => {
      for (const { before, event, after, ok } of trace(events)) {
        if (!ok || before.state !== 'ready' || event.kind !== 'gate' || !['start', 'fail', 'inconclusive', 'error', 'stale'].includes(event.event)) continue;
        expect(after.state).not.toBe('ready');
        expect(revisionStatus(after).actions.can_promote).toBe(false);
      }
    }));
  });

  it('keeps terminal states terminal', () => {
    fc.assert(fc.property(sequences, (events) => {
      for (const { before, after } of trace(events)) {
        if (revisionStatus(before).terminal) expect(after).toEqual(before);
      }
    }));
  });
});
