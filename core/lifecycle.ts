// The trust lifecycle state machine: the one transition table, and the pure step that applies an event to a snapshot.
// docs/lifecycle.md renders the same table; test/core/lifecycle-table.test.ts keeps the two equal.
import type { AttestationStatus, LifecycleState, RemediationState } from './trust-states.ts';
import { lifecycleState } from './trust-states.ts';

/** What can happen to an instance's trust posture. */
export type TrustEvent =
  | { kind: 'attestation'; status: AttestationStatus; observedAt: Date }
  | { kind: 'operator'; target: LifecycleState }
  | { kind: 'remediation'; state: RemediationState; runId?: number };

/** The part of a registry row the state machine owns. */
export interface TrustSnapshot {
  lifecycle_state: LifecycleState;
  attestation_status: AttestationStatus;
  remediation_state: RemediationState | null;
  remediation_attempts: number;
  freshness_deadline: Date | null;
  /** Observation time of the newest decided evidence applied: evidence observed before it is out of order. */
  evidence_observed_at: Date | null;
}

/** Key of an event in the table: `attestation:trusted`, `operator:retired`, `remediation:automation-running`. */
export function eventKey(event: TrustEvent): string {
  if (event.kind === 'attestation') return `attestation:${event.status}`;
  if (event.kind === 'operator') return `operator:${event.target}`;
  return `remediation:${event.state}`;
}

type Row = readonly [from: LifecycleState, on: string, to: LifecycleState];

// Every legal (state, event) pair. Anything absent is an illegal transition.
// Principles: only trusted evidence grants trust (no operator path to `trusted`), only a successful repair or
// evidence lifts a quarantine (no operator path to `restored`); `unknown` never moves the
// lifecycle; remediation events apply only while quarantined or remediating; `retired` is terminal.
export const transitionTable: readonly Row[] = [
  ['pending', 'attestation:trusted', 'trusted'],
  ['pending', 'attestation:untrusted', 'quarantined'],
  ['pending', 'attestation:unknown', 'pending'],
  ['pending', 'operator:quarantined', 'quarantined'],
  ['pending', 'operator:retired', 'retired'],

  ['trusted', 'attestation:trusted', 'trusted'],
  ['trusted', 'attestation:untrusted', 'suspect'],
  ['trusted', 'attestation:unknown', 'trusted'],
  ['trusted', 'operator:suspect', 'suspect'],
  ['trusted', 'operator:quarantined', 'quarantined'],
  ['trusted', 'operator:retired', 'retired'],

  ['suspect', 'attestation:trusted', 'trusted'],
  ['suspect', 'attestation:untrusted', 'quarantined'],
  ['suspect', 'attestation:unknown', 'suspect'],
  ['suspect', 'operator:quarantined', 'quarantined'],
  ['suspect', 'operator:retired', 'retired'],

  ['quarantined', 'attestation:trusted', 'quarantined'],
  ['quarantined', 'attestation:untrusted', 'quarantined'],
  ['quarantined', 'attestation:unknown', 'quarantined'],
  ['quarantined', 'operator:remediating', 'remediating'],
  ['quarantined', 'operator:retired', 'retired'],
  ['quarantined', 'remediation:awaiting-approval', 'quarantined'],
  ['quarantined', 'remediation:automation-pending', 'quarantined'],
  ['quarantined', 'remediation:automation-running', 'remediating'],
  ['quarantined', 'remediation:transient-failure', 'quarantined'],
  ['quarantined', 'remediation:automation-failed', 'quarantined'],
  ['quarantined', 'remediation:automation-cancelled', 'quarantined'],

  ['remediating', 'attestation:trusted', 'restored'],
  ['remediating', 'attestation:untrusted', 'remediating'],
  ['remediating', 'attestation:unknown', 'remediating'],
  ['remediating', 'operator:quarantined', 'quarantined'],
  ['remediating', 'operator:retired', 'retired'],
  ['remediating', 'remediation:awaiting-approval', 'remediating'],
  ['remediating', 'remediation:automation-pending', 'remediating'],
  ['remediating', 'remediation:automation-running', 'remediating'],
  ['remediating', 'remediation:automation-complete', 'restored'],
  ['remediating', 'remediation:transient-failure', 'remediating'],
  ['remediating', 'remediation:automation-failed', 'quarantined'],
  ['remediating', 'remediation:automation-cancelled', 'quarantined'],

  ['restored', 'attestation:trusted', 'trusted'],
  ['restored', 'attestation:untrusted', 'suspect'],
  ['restored', 'attestation:unknown', 'restored'],
  ['restored', 'operator:suspect', 'suspect'],
  ['restored', 'operator:quarantined', 'quarantined'],
  ['restored', 'operator:retired', 'retired'],
];

const table = new Map(transitionTable.map(([from, on, to]) => [`${from} ${on}`, to]));

export function nextLifecycle(from: LifecycleState, event: TrustEvent): LifecycleState | undefined {
  return table.get(`${from} ${eventKey(event)}`);
}

/** Lifecycle states in which an instance must not serve and its evaluation refresh is paused. */
export const distrustedStates: readonly LifecycleState[] = ['suspect', 'quarantined', 'remediating', 'retired'];

export function isDistrusted(state: LifecycleState): boolean {
  return distrustedStates.includes(state);
}

/** `outOfOrder`: evidence observed before the newest applied; `next` is the snapshot unchanged. */
export type StepResult = { ok: true; next: TrustSnapshot; outOfOrder: boolean } | { ok: false; from: LifecycleState; event: string };

/** Evidence observed before the newest decided evidence already applied: recorded, but it moves nothing. */
export function isOutOfOrder(current: Pick<TrustSnapshot, 'evidence_observed_at'>, event: TrustEvent): boolean {
  return event.kind === 'attestation' && current.evidence_observed_at !== null && event.observedAt.getTime() < current.evidence_observed_at.getTime();
}

function later(a: Date | null, b: Date): Date {
  return a !== null && a.getTime() > b.getTime() ? a : b;
}

/**
 * Apply one event. `freshnessSeconds` is how long a decided attestation keeps an instance fresh. Evidence is
 * ordered by when it was observed, not when it arrived: older than the newest applied, it changes nothing, and
 * the freshness deadline only ever moves forward.
 */
export function applyEvent(current: TrustSnapshot, event: TrustEvent, freshnessSeconds: number): StepResult {
  const to = nextLifecycle(current.lifecycle_state, event);
  if (to === undefined) return { ok: false, from: current.lifecycle_state, event: eventKey(event) };
  if (isOutOfOrder(current, event)) return { ok: true, next: current, outOfOrder: true };
  const next: TrustSnapshot = { ...current, lifecycle_state: to };
  if (event.kind === 'attestation') {
    // `unknown` is not evidence: it keeps an untrusted posture untrusted and never extends freshness.
    if (event.status === 'unknown') {
      next.attestation_status = current.attestation_status === 'untrusted' ? 'untrusted' : 'unknown';
    } else {
      next.attestation_status = event.status;
      next.freshness_deadline = later(current.freshness_deadline, new Date(event.observedAt.getTime() + freshnessSeconds * 1000));
      next.evidence_observed_at = event.observedAt;
    }
    if (to === 'trusted') next.remediation_state = null;
  } else if (event.kind === 'remediation') {
    next.remediation_state = event.state;
    if (event.state === 'automation-running' && current.remediation_state !== 'automation-running') {
      next.remediation_attempts = current.remediation_attempts + 1;
    }
  }
  // A fresh quarantine starts with no remediation under way; the remediation plane fills the state in.
  if (event.kind !== 'remediation' && to === 'quarantined' && current.lifecycle_state !== 'quarantined') next.remediation_state = null;
  return { ok: true, next, outOfOrder: false };
}

/** A transition "enters" a state when the state changed into it (the remediation hook fires on entering quarantine). */
export function enters(previous: LifecycleState, next: LifecycleState, state: LifecycleState): boolean {
  return previous !== state && next === state;
}

/**
 * Does a transition change what plans and scores are computed from? A repeated outcome on a fresh instance
 * (the steady state of a healthy fleet) does not; one that refreshes a stale instance does.
 */
export function postureChanged(before: TrustSnapshot, after: TrustSnapshot, now: Date): boolean {
  return (
    isStale(before.freshness_deadline, now) ||
    before.lifecycle_state !== after.lifecycle_state ||
    before.attestation_status !== after.attestation_status ||
    before.remediation_state !== after.remediation_state ||
    before.remediation_attempts !== after.remediation_attempts
  );
}

export function isStale(deadline: Date | null, now: Date): boolean {
  return deadline !== null && deadline.getTime() < now.getTime();
}

export const allLifecycleStates = lifecycleState.options;
