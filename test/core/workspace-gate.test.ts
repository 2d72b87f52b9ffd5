import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { gateEvent, gateStatus, gateTransitions, isSatisfied, nextGate, type GateEvent, type ValidationGate } from '../../core/workspace-gate.ts';
import { applyRevisionEvent, initialRevision, revisionStatus, type RevisionEvent, type RevisionSnapshot } from '../../core/workspace-revision.ts';

const gate = (name: ValidationGate, event: GateEvent, hard?: boolean): RevisionEvent => ({ kind: 'gate', gate: name, event, hard });

function replay(events: RevisionEvent[]): RevisionSnapshot {
  return events.reduce((state, event) => {
    const step = applyRevisionEvent(state, event);
    if (!step.ok) throw new Error(step.reason);
    return step.next;
  }, initialRevision);
}

const toReady: RevisionEvent[] = [
  gate('schema', 'start'), gate('schema', 'pass'), gate('policy', 'start'), gate('policy', 'pass'), gate('simulation', 'start'), gate('simulation', 'pass'),
];

describe('gate transition table', () => {
  it.each(gateTransitions.map(([from, on, to]) => [from, on, to]))('%s --%s--> %s', (from, on, to) => {
    expect(nextGate(from, on)).toBe(to);
  });

  it('refuses every pair the table does not list', () => {
    const listed = new Set(gateTransitions.map(([from, on]) => `${from} ${on}`));
    for (const from of gateStatus.options) {
      for (const on of gateEvent.options) if (!listed.has(`${from} ${on}`)) expect(nextGate(from, on)).toBeUndefined();
    }
  });

  it.each([['inconclusive'], ['error'], ['passed'], ['pending']] as const)('cannot override a %s gate', (from) => {
    expect(nextGate(from, 'override')).toBeUndefined();
  });

  it('counts only passed and overridden as satisfied', () => {
    expect(gateStatus.options.filter(isSatisfied)).toEqual(['passed', 'overridden']);
  });

  it('is the table docs/workspaces.md draws', async () => {
    const doc = await readFile(new URL('../../docs/workspaces.md', import.meta.url), 'utf8');
    for (const [from, on, to] of gateTransitions) expect(doc).toContain(`${from} --> ${to}: ${on}`);
  });
});

describe('revision state machine', () => {
  it.each<[string, RevisionEvent[], string, Record<string, boolean>]>([
    ['a new revision is a draft', [], 'draft', { can_validate: true, can_simulate: false, can_promote: false, can_abandon: true }],
    ['a running gate is validating', [gate('schema', 'start')], 'validating', { can_validate: true, can_simulate: false }],
    ['three passed gates are ready', toReady, 'ready', { can_promote: true, can_abandon: true }],
    ['a failed re-validation revokes ready', [...toReady, gate('policy', 'start'), gate('policy', 'fail')], 'validating', { can_promote: false, can_override: true }],
    ['a hard policy failure rejects', [gate('policy', 'start'), gate('policy', 'fail', true)], 'rejected', { can_validate: false, can_abandon: false }],
    ['a schema failure rejects', [gate('schema', 'start'), gate('schema', 'fail')], 'rejected', { can_promote: false }],
    ['an inconclusive simulation never promotes', [...toReady.slice(0, 5), gate('simulation', 'inconclusive')], 'validating', { can_promote: false, can_override: false, can_simulate: true }],
    ['an overridden soft failure can be ready', [...toReady.slice(0, 2), gate('policy', 'start'), gate('policy', 'fail'), gate('policy', 'override'), ...toReady.slice(4)], 'ready', { can_promote: true }],
    ['promotion is under way', [...toReady, { kind: 'promote' }], 'promoting', { can_abandon: false, can_promote: false, can_validate: false }],
    ['a stale promotion reopens the stale gates', [...toReady, { kind: 'promote' }, { kind: 'promotion-stale', gates: ['simulation'] }], 'validating', { can_simulate: true, can_promote: false }],
    ['promoted is terminal', [...toReady, { kind: 'promote' }, { kind: 'promotion-succeeded' }], 'promoted', { can_abandon: false, can_validate: false }],
    ['abandoned is terminal', [{ kind: 'abandon' }], 'abandoned', { can_validate: false, can_abandon: false }],
  ])('%s', (_name, events, state, actions) => {
    const snapshot = replay(events);
    expect(snapshot.state).toBe(state);
    expect(revisionStatus(snapshot).actions).toMatchObject(actions);
  });

  it.each<[string, RevisionEvent[], RevisionEvent]>([
    ['simulating before the schema passed', [], gate('simulation', 'start')],
    ['promoting a draft', [], { kind: 'promote' }],
    ['overriding a schema failure', [gate('policy', 'start'), gate('policy', 'fail')], gate('schema', 'override')],
    ['recording a gate on an abandoned revision', [{ kind: 'abandon' }], gate('schema', 'start')],
    ['a result for a gate that is not running', [], gate('schema', 'pass')],
  ])('refuses %s', (_name, events, event) => {
    expect(applyRevisionEvent(replay(events), event).ok).toBe(false);
  });

  it('says what it awaits and whether it is terminal', () => {
    expect(revisionStatus(initialRevision)).toMatchObject({ terminal: false, awaiting: 'schema' });
    expect(revisionStatus(replay(toReady))).toMatchObject({ terminal: false, awaiting: 'promotion' });
    expect(revisionStatus(replay([{ kind: 'abandon' }]))).toMatchObject({ terminal: true, awaiting: null });
  });
});
