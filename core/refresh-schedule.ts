// The evaluation refresh scheduler's rules, pure: what a trust posture does to an instance's refresh schedule,
// when the next refresh is due (cadence + jitter, jittered resume, unreachable backoff), and what counts as stalled.
import { isDistrusted } from './lifecycle.ts';
import type { LifecycleState } from './trust-states.ts';

/**
 * `scheduled`: refreshing at the cadence. `unreachable`: the last refresh found no new evidence — backing off, the
 * instance is not judged untrusted. `remediating`: distrusted, refreshes cancelled until it is restored.
 */
export const scheduleStates = ['scheduled', 'unreachable', 'remediating'] as const;
export type ScheduleState = (typeof scheduleStates)[number];

export interface Cadence {
  intervalMs: number;
  jitterMs: number;
  backoffMaxMs: number;
}

/** `pause`: cancel pending refreshes and move to remediating; `resume`: schedule a jittered first refresh. */
export type ScheduleAction = 'pause' | 'resume' | 'keep';

export function scheduleAction(lifecycle: LifecycleState, current: ScheduleState | undefined): ScheduleAction {
  if (isDistrusted(lifecycle)) return current === 'remediating' ? 'keep' : 'pause';
  return current === undefined || current === 'remediating' ? 'resume' : 'keep';
}

/** The first refresh after a (re)start: anywhere in the jitter window, so a fleet-wide restore does not stampede. */
export function resumeDelayMs(cadence: Cadence, random: number): number {
  return Math.floor(random * cadence.jitterMs);
}

/** The next refresh after a successful one: one interval plus jitter. */
export function cadenceDelayMs(cadence: Cadence, random: number): number {
  return cadence.intervalMs + Math.floor(random * cadence.jitterMs);
}

/** After `misses` refreshes in a row without new evidence: the interval doubled per miss, capped, plus jitter. */
export function backoffDelayMs(cadence: Cadence, misses: number, random: number): number {
  const backoff = Math.min(cadence.backoffMaxMs, cadence.intervalMs * 2 ** Math.max(0, misses));
  return Math.max(cadence.intervalMs, backoff) + Math.floor(random * cadence.jitterMs);
}

/**
 * The instance answered when evidence arrived since the previous attempt (or since scheduling), or its evidence is
 * still within its freshness window. Otherwise no evidence arrived: `unreachable`, which says nothing about trust.
 */
export function refreshOutcome(trust: { evidence_observed_at: Date | null; freshness_deadline: Date | null }, since: Date, now: Date): 'fresh-evidence' | 'no-evidence' {
  if (trust.evidence_observed_at !== null && trust.evidence_observed_at.getTime() > since.getTime()) return 'fresh-evidence';
  return trust.freshness_deadline !== null && trust.freshness_deadline.getTime() > now.getTime() ? 'fresh-evidence' : 'no-evidence';
}

/** A schedule that should be refreshing but whose last attempt (or scheduling) is older than twice the cadence. */
export function isStalled(state: ScheduleState, lastActivity: Date, now: Date, cadence: Pick<Cadence, 'intervalMs'>): boolean {
  return state !== 'remediating' && now.getTime() - lastActivity.getTime() > 2 * cadence.intervalMs;
}
