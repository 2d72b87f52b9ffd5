import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, cadenceDelayMs, isStalled, refreshOutcome, resumeDelayMs, scheduleAction } from '../../core/refresh-schedule.ts';
import { lifecycleState } from '../../core/trust-states.ts';

const cadence = { intervalMs: 1000, jitterMs: 200, backoffMaxMs: 8000 };
const now = new Date('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('schedule action', () => {
  it.each([
    ['trusted', undefined, 'resume'],
    ['pending', undefined, 'resume'],
    ['trusted', 'scheduled', 'keep'],
    ['restored', 'remediating', 'resume'],
    ['trusted', 'unreachable', 'keep'],
    ['suspect', 'scheduled', 'pause'],
    ['quarantined', 'unreachable', 'pause'],
    ['remediating', 'remediating', 'keep'],
    ['retired', undefined, 'pause'],
  ] as const)('%s with schedule %s → %s', (lifecycle, state, action) => {
    expect(scheduleAction(lifecycle, state)).toBe(action);
  });
});

describe('refresh outcome', () => {
  it.each([
    ['new evidence since the last attempt', { evidence_observed_at: at(-10), freshness_deadline: at(-5) }, at(-20), 'fresh-evidence'],
    ['still within the freshness window', { evidence_observed_at: at(-100), freshness_deadline: at(50) }, at(-20), 'fresh-evidence'],
    ['stale and nothing new', { evidence_observed_at: at(-100), freshness_deadline: at(-50) }, at(-20), 'no-evidence'],
    ['never attested', { evidence_observed_at: null, freshness_deadline: null }, at(-20), 'no-evidence'],
  ] as const)('%s → %s', (_name, trust, since, outcome) => {
    expect(refreshOutcome(trust, since, now)).toBe(outcome);
  });
});

describe('stall', () => {
  it.each([
    ['scheduled', -2001, true],
    ['scheduled', -1999, false],
    ['unreachable', -5000, true],
    ['remediating', -50_000, false],
  ] as const)('%s last active %d ms ago → %s', (state, ago, stalled) => {
    expect(isStalled(state, at(ago), now, cadence)).toBe(stalled);
  });
});

describe('delays', () => {
  it('property: resume lands in the jitter window, the cadence within interval + jitter, backoff doubles up to its cap', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9999, noNaN: true }), fc.nat(12), (random, misses) => {
        const resume = resumeDelayMs(cadence, random);
        expect(resume).toBeGreaterThanOrEqual(0);
        expect(resume).toBeLessThan(cadence.jitterMs);
        const next = cadenceDelayMs(cadence, random);
        expect(next).toBeGreaterThanOrEqual(cadence.intervalMs);
        expect(next).toBeLessThan(cadence.intervalMs + cadence.jitterMs);
        const backoff = backoffDelayMs(cadence, misses, random) - Math.floor(random * cadence.jitterMs);
        expect(backoff).toBe(Math.max(cadence.intervalMs, Math.min(cadence.backoffMaxMs, cadence.intervalMs * 2 ** misses)));
        expect(backoffDelayMs(cadence, misses + 1, random)).toBeGreaterThanOrEqual(backoffDelayMs(cadence, misses, random));
      }),
    );
  });

  it('property: every lifecycle either pauses, resumes or keeps; distrusted never resumes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...lifecycleState.options), fc.constantFrom(undefined, 'scheduled', 'unreachable', 'remediating' as const), (lifecycle, state) => {
        const action = scheduleAction(lifecycle, state);
        if (['suspect', 'quarantined', 'remediating', 'retired'].includes(lifecycle)) expect(action).not.toBe('resume');
        else expect(action).not.toBe('pause');
      }),
    );
  });
});
