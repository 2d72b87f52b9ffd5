// The pure half of a promotion step: per-target phases from the runs it staged, which targets to stage next
// (`max_parallel` at a time, none after a failure when `stop_on_first_failure`), the promotion's counts and status,
// and a target's posture verdict from the placement gate (core/placement-gate.ts).
import { evaluatePlacement, type TrustSnapshot } from './placement-gate.ts';
import type { RunStatus } from './remediation-status.ts';

export type TargetPhase = 'pending' | 'staged' | 'running' | 'succeeded' | 'failed' | 'refused' | 'skipped';
export const targetPhases: readonly TargetPhase[] = ['pending', 'staged', 'running', 'succeeded', 'failed', 'refused', 'skipped'];

export interface TargetState {
  id: number;
  phase: TargetPhase;
  run_status: RunStatus | null;
}

export interface StepPlan {
  /** Phases that changed (from their runs, or skipped after a failure). */
  updates: { id: number; phase: TargetPhase }[];
  /** Targets to stage now, in order. */
  stage: number[];
  finished: boolean;
}

export function phaseOfRun(status: RunStatus): TargetPhase {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed' || status === 'cancelled' || status === 'denied' || status === 'expired') return 'failed';
  return status === 'pending' ? 'staged' : 'running';
}

export function planStep(targets: TargetState[], options: { maxParallel: number; stopOnFirstFailure: boolean }): StepPlan {
  const updates: StepPlan['updates'] = [];
  const phases = targets.map((target) => {
    const phase = target.run_status === null || target.phase === 'refused' || target.phase === 'skipped' ? target.phase : phaseOfRun(target.run_status);
    if (phase !== target.phase) updates.push({ id: target.id, phase });
    return { id: target.id, phase };
  });
  const failedAny = phases.some((target) => target.phase === 'failed');
  if (failedAny && options.stopOnFirstFailure) {
    for (const target of phases) if (target.phase === 'pending') { target.phase = 'skipped'; updates.push({ id: target.id, phase: 'skipped' }); }
  }
  const inFlight = phases.filter((target) => target.phase === 'staged' || target.phase === 'running').length;
  const stage = phases.filter((target) => target.phase === 'pending').slice(0, Math.max(0, options.maxParallel - inFlight)).map((target) => target.id);
  const finished = inFlight === 0 && phases.every((target) => target.phase !== 'pending');
  return { updates, stage, finished };
}

export function countPhases(phases: TargetPhase[]): Record<TargetPhase, number> {
  const counts = Object.fromEntries(targetPhases.map((phase) => [phase, 0])) as Record<TargetPhase, number>;
  for (const phase of phases) counts[phase] += 1;
  return counts;
}

/** succeeded: every target succeeded; partial: some did; failed: none did. */
export function promotionOutcome(counts: Record<TargetPhase, number>): 'succeeded' | 'partial' | 'failed' {
  const total = targetPhases.reduce((sum, phase) => sum + counts[phase], 0);
  if (counts.succeeded === total && total > 0) return 'succeeded';
  return counts.succeeded > 0 ? 'partial' : 'failed';
}

export interface PostureVerdict {
  allowed: boolean;
  veto_reasons: string[];
  signals: string[];
  remediation_hooks: string[];
  track_name: string;
  track_tier: string;
  stage: string;
}

/** A target's verdict: the placement gate's decision over its trust snapshot, with the promotion's track. */
export function postureVerdict(snapshot: TrustSnapshot | undefined, now: Date, track: { name: string; tier: string; stage: string }): PostureVerdict {
  const decision = evaluatePlacement(snapshot, now);
  return {
    allowed: decision.allow,
    veto_reasons: decision.allow ? [] : [decision.reason],
    signals: decision.notes.filter((note) => note.startsWith('vm:')),
    remediation_hooks: decision.notes.filter((note) => note.startsWith('policy_hook:')),
    track_name: track.name,
    track_tier: track.tier,
    stage: track.stage,
  };
}
