import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { applyEvent, nextLifecycle, transitionTable, type TrustSnapshot } from '../../core/lifecycle.ts';

const base: TrustSnapshot = { lifecycle_state: 'trusted', attestation_status: 'trusted', remediation_state: null, remediation_attempts: 0, freshness_deadline: null, evidence_observed_at: null };
const at = new Date('2030-01-01T00:00:00Z');

describe('lifecycle transition table', () => {
  it('is the table docs/lifecycle.md shows, row for row', async () => {
    const doc = await readFile(new URL('../../docs/lifecycle.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z-]+)` \| `([a-z:-]+)` \| `([a-z-]+)` \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(transitionTable.map((row) => [...row]));
  });

  it('has no duplicate (state, event) pairs', () => {
    const keys = transitionTable.map(([from, on]) => `${from} ${on}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each([
    ['trusted', { kind: 'attestation', status: 'untrusted', observedAt: at }, 'suspect'],
    ['suspect', { kind: 'attestation', status: 'untrusted', observedAt: at }, 'quarantined'],
    ['quarantined', { kind: 'remediation', state: 'automation-running' }, 'remediating'],
    ['remediating', { kind: 'remediation', state: 'automation-complete' }, 'restored'],
    ['restored', { kind: 'attestation', status: 'trusted', observedAt: at }, 'trusted'],
  ] as const)('moves %s on %o to %s', (from, event, to) => {
    expect(nextLifecycle(from, event)).toBe(to);
  });

  it.each([
    ['pending', { kind: 'operator', target: 'trusted' }],
    ['retired', { kind: 'attestation', status: 'trusted', observedAt: at }],
    ['trusted', { kind: 'remediation', state: 'automation-running' }],
    ['quarantined', { kind: 'remediation', state: 'automation-complete' }],
  ] as const)('refuses %s on %o', (from, event) => {
    expect(applyEvent({ ...base, lifecycle_state: from }, event, 60)).toMatchObject({ ok: false, from });
  });

  it('keeps an untrusted posture untrusted when the verifier cannot decide', () => {
    const step = applyEvent({ ...base, lifecycle_state: 'suspect', attestation_status: 'untrusted' }, { kind: 'attestation', status: 'unknown', observedAt: at }, 60);
    expect(step).toMatchObject({ ok: true, next: { lifecycle_state: 'suspect', attestation_status: 'untrusted', freshness_deadline: null } });
  });

  it('extends freshness from the observation time of decided evidence', () => {
    const step = applyEvent(base, { kind: 'attestation', status: 'trusted', observedAt: at }, 60);
    expect(step.ok && step.next.freshness_deadline?.toISOString()).toBe('2030-01-01T00:01:00.000Z');
  });
});
