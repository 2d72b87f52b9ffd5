import { describe, expect, it } from 'vitest';
import { canonicalJson, checkFreshness, verifyMeasurements, worst } from '../../core/attestation-verifier.ts';

describe('attestation verifier', () => {
  it.each([
    [{ pcr0: 'AA', pcr1: 'bb' }, { pcr0: 'aa', pcr1: 'bb' }, 'trusted'],
    [{ pcr0: 'aa', pcr1: 'cc' }, { pcr0: 'aa', pcr1: 'bb' }, 'untrusted'],
    [{ pcr0: 'aa' }, { pcr0: 'aa', pcr1: 'bb' }, 'untrusted'],
    [{ pcr0: 'aa' }, undefined, 'unknown'],
  ] as const)('judges %o against %o as %s', (reported, references, status) => {
    expect(verifyMeasurements(reported, references).status).toBe(status);
  });

  it('refuses evidence outside the nonce window', () => {
    const now = new Date('2030-01-01T00:10:00Z');
    expect(checkFreshness(new Date('2030-01-01T00:09:00Z'), now, 300).ok).toBe(true);
    expect(checkFreshness(new Date('2030-01-01T00:00:00Z'), now, 300).ok).toBe(false);
    expect(checkFreshness(new Date('2030-01-01T01:00:00Z'), now, 300).ok).toBe(false);
  });

  it('never upgrades a reporter verdict', () => {
    expect(worst('unknown', 'trusted')).toBe('unknown');
    expect(worst('trusted', 'untrusted')).toBe('untrusted');
  });

  it('hashes the same evidence the same way whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 2] }, b: 1 }));
  });
});
