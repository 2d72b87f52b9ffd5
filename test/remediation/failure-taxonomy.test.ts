import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFailure, decideRetry, failureReason } from '../../core/failure-taxonomy.ts';

const backoff = { baseMs: 1_000, maxMs: 8_000 };

describe('failure taxonomy', () => {
  it.each([
    ['policy-denied', 'structural'],
    ['playbook-bug', 'structural'],
    ['dependency-outage', 'transient'],
    ['timeout', 'transient'],
    ['executor-unavailable', 'transient'],
    ['cancelled', 'cancelled'],
    ['other', 'structural'],
  ] as const)('classifies %s as %s', (reason, klass) => {
    expect(classifyFailure(reason)).toBe(klass);
  });

  it.each([
    ['dependency-outage', 1, 3, { retry: true, nextAttempt: 2, delayMs: 1_000 }],
    ['timeout', 2, 3, { retry: true, nextAttempt: 3, delayMs: 2_000 }],
    ['executor-unavailable', 3, 3, { retry: true, nextAttempt: 4, delayMs: 4_000 }],
    ['dependency-outage', 4, 3, { retry: false, outcome: 'failed', why: 'retry-limit-reached' }],
    ['dependency-outage', 1, 0, { retry: false, outcome: 'failed', why: 'retry-limit-reached' }],
    ['timeout', 5, 10, { retry: true, nextAttempt: 6, delayMs: 8_000 }],
    ['playbook-bug', 1, 3, { retry: false, outcome: 'failed', why: 'structural' }],
    ['policy-denied', 1, 3, { retry: false, outcome: 'failed', why: 'structural' }],
    ['other', 1, 3, { retry: false, outcome: 'failed', why: 'structural' }],
    ['cancelled', 1, 3, { retry: false, outcome: 'cancelled', why: 'cancelled' }],
  ] as const)('after %s on attempt %i with retry limit %i decides %o', (reason, attempt, retryLimit, decision) => {
    expect(decideRetry({ reason, attempt, retryLimit, backoff })).toEqual(decision);
  });

  it('never makes more than retry_limit + 1 attempts and never waits longer than the cap', () => {
    fc.assert(
      fc.property(fc.constantFrom(...failureReason.options), fc.integer({ min: 0, max: 20 }), (reason, retryLimit) => {
        let attempt = 1;
        for (;;) {
          const decision = decideRetry({ reason, attempt, retryLimit, backoff });
          if (!decision.retry) break;
          expect(decision.delayMs).toBeLessThanOrEqual(backoff.maxMs);
          attempt = decision.nextAttempt;
        }
        expect(attempt).toBeLessThanOrEqual(retryLimit + 1);
        if (classifyFailure(reason) !== 'transient') expect(attempt).toBe(1);
      }),
    );
  });
});
