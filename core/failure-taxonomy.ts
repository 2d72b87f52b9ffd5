// The remediation failure taxonomy: every failure reason is transient, structural or a cancellation, and that
// class alone decides whether another attempt is worth making and after how long.
import { z } from 'zod';

export const failureReason = z.enum([
  'policy-denied',
  'playbook-bug',
  'dependency-outage',
  'timeout',
  'executor-unavailable',
  'cancelled',
  'other',
]);
export type FailureReason = z.infer<typeof failureReason>;

export const failureClass = z.enum(['transient', 'structural', 'cancelled']);
export type FailureClass = z.infer<typeof failureClass>;

// `other` is structural on purpose: retrying a failure nobody understands only repeats it.
const classes: Record<FailureReason, FailureClass> = {
  'policy-denied': 'structural',
  'playbook-bug': 'structural',
  'dependency-outage': 'transient',
  timeout: 'transient',
  'executor-unavailable': 'transient',
  cancelled: 'cancelled',
  other: 'structural',
};

export function classifyFailure(reason: FailureReason): FailureClass {
  return classes[reason];
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 300_000 };

export type RetryDecision =
  | { retry: true; nextAttempt: number; delayMs: number }
  | { retry: false; outcome: 'failed' | 'cancelled'; why: 'structural' | 'cancelled' | 'retry-limit-reached' };

/**
 * After attempt `attempt` (1-based) failed with `reason`: retry transient failures while the retries spent
 * (`attempt - 1`) are below `retryLimit`, waiting base·2^(attempt-1) capped at max. Deterministic, so it is testable.
 */
export function decideRetry(input: { reason: FailureReason; attempt: number; retryLimit: number; backoff?: BackoffPolicy }): RetryDecision {
  const klass = classifyFailure(input.reason);
  if (klass === 'cancelled') return { retry: false, outcome: 'cancelled', why: 'cancelled' };
  if (klass === 'structural') return { retry: false, outcome: 'failed', why: 'structural' };
  if (input.attempt > input.retryLimit) return { retry: false, outcome: 'failed', why: 'retry-limit-reached' };
  const backoff = input.backoff ?? defaultBackoff;
  const delayMs = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (input.attempt - 1));
  return { retry: true, nextAttempt: input.attempt + 1, delayMs };
}
