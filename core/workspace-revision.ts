// The revision state machine of a remediation workspace: gate events and promotion events move a revision's gates
// (core/workspace-gate.ts) and, from them, its state; `actionsFor` says what is legal now so clients never guess.
import { z } from 'zod';
import { isSatisfied, nextGate, validationGates, type GateEvent, type GateName, type GateStatus, type ValidationGate } from './workspace-gate.ts';

export const revisionState = z.enum(['draft', 'validating', 'ready', 'promoting', 'promoted', 'rejected', 'superseded', 'abandoned']);
export type RevisionState = z.infer<typeof revisionState>;

export const terminalRevisionStates: readonly RevisionState[] = ['promoted', 'rejected', 'superseded', 'abandoned'];

export type Gates = Record<GateName, GateStatus>;

export interface RevisionSnapshot {
  state: RevisionState;
  gates: Gates;
}

export type RevisionEvent =
  /** `hard`: a failure no approver may override (schema errors, a failed simulation, a hard policy rule). */
  | { kind: 'gate'; gate: ValidationGate; event: GateEvent; hard?: boolean }
  | { kind: 'promote' }
  | { kind: 'promotion-succeeded' }
  | { kind: 'promotion-failed' }
  /** A promotion found that what these gates judged has changed. */
  | { kind: 'promotion-stale'; gates: readonly ValidationGate[] }
  | { kind: 'supersede' }
  | { kind: 'abandon' };

export interface RevisionActions {
  can_validate: boolean;
  can_simulate: boolean;
  can_promote: boolean;
  can_override: boolean;
  can_abandon: boolean;
}

export interface RevisionStatus {
  actions: RevisionActions;
  terminal: boolean;
  /** What the revision waits for: a gate to run or finish, an override, a promotion; null once terminal. */
  awaiting: 'schema' | 'policy' | 'simulation' | 'override' | 'promotion' | 'promotion-job' | null;
}

export const initialRevision: RevisionSnapshot = {
  state: 'draft',
  gates: { schema: 'pending', policy: 'pending', simulation: 'pending', promotion: 'pending' },
};

export type RevisionStep = { ok: true; next: RevisionSnapshot } | { ok: false; reason: string };

export const isTerminal = (state: RevisionState) => terminalRevisionStates.includes(state);

const editable = (state: RevisionState) => state === 'draft' || state === 'validating' || state === 'ready';

/** The state the validation gates imply for an editable revision. */
function settle(gates: Gates): RevisionState {
  if (validationGates.every((gate) => isSatisfied(gates[gate]))) return 'ready';
  if (validationGates.every((gate) => gates[gate] === 'pending')) return 'draft';
  return 'validating';
}

function refuse(reason: string): RevisionStep {
  return { ok: false, reason };
}

function gateStep(current: RevisionSnapshot, gate: ValidationGate, event: GateEvent, hard: boolean): RevisionStep {
  if (!editable(current.state)) return refuse(`a ${current.state} revision takes no ${gate} result`);
  if (event === 'start' && gate === 'simulation' && !isSatisfied(current.gates.schema)) return refuse('simulation needs a passed schema gate');
  if (event === 'override' && gate !== 'policy') return refuse('only a policy failure can be overridden');
  const to = nextGate(current.gates[gate], event);
  if (to === undefined) return refuse(`the ${gate} gate cannot go from ${current.gates[gate]} on ${event}`);
  const gates = { ...current.gates, [gate]: to };
  // A hard failure ends the revision; the author appends a new one. A soft one waits for an override or a re-run.
  const rejected = event === 'fail' && (hard || gate !== 'policy');
  return { ok: true, next: { state: rejected ? 'rejected' : settle(gates), gates } };
}

export function applyRevisionEvent(current: RevisionSnapshot, event: RevisionEvent): RevisionStep {
  const { state, gates } = current;
  switch (event.kind) {
    case 'gate':
      return gateStep(current, event.gate, event.event, event.hard === true);
    case 'promote': {
      if (state !== 'ready') return refuse(`a ${state} revision cannot be promoted`);
      const to = nextGate(gates.promotion, 'start');
      return to === undefined ? refuse('the promotion gate is running') : { ok: true, next: { state: 'promoting', gates: { ...gates, promotion: to } } };
    }
    case 'promotion-succeeded':
    case 'promotion-failed': {
      if (state !== 'promoting') return refuse(`a ${state} revision has no promotion under way`);
      const passed = event.kind === 'promotion-succeeded';
      return { ok: true, next: { state: passed ? 'promoted' : 'rejected', gates: { ...gates, promotion: passed ? 'passed' : 'failed' } } };
    }
    case 'promotion-stale': {
      if (state !== 'promoting' && state !== 'ready') return refuse(`a ${state} revision has no gates to revoke`);
      const next: Gates = { ...gates, promotion: 'stale' };
      for (const gate of event.gates) next[gate] = nextGate(gates[gate], 'stale') ?? gates[gate];
      return { ok: true, next: { state: settle(next), gates: next } };
    }
    case 'supersede':
    case 'abandon':
      if (!editable(state)) return refuse(`a ${state} revision cannot be ${event.kind === 'abandon' ? 'abandoned' : 'superseded'}`);
      return { ok: true, next: { state: event.kind === 'abandon' ? 'abandoned' : 'superseded', gates } };
  }
}

function awaiting(current: RevisionSnapshot): RevisionStatus['awaiting'] {
  if (isTerminal(current.state)) return null;
  if (current.state === 'promoting') return 'promotion-job';
  if (current.state === 'ready') return 'promotion';
  if (current.gates.policy === 'failed') return 'override';
  return validationGates.find((gate) => !isSatisfied(current.gates[gate])) ?? 'promotion';
}

/** What is legal now: each flag is true exactly when the matching event would be accepted (see the properties test). */
export function revisionStatus(current: RevisionSnapshot): RevisionStatus {
  const legal = (event: RevisionEvent) => applyRevisionEvent(current, event).ok;
  return {
    actions: {
      can_validate: legal({ kind: 'gate', gate: 'schema', event: 'start' }) || legal({ kind: 'gate', gate: 'policy', event: 'start' }),
      can_simulate: legal({ kind: 'gate', gate: 'simulation', event: 'start' }),
      can_promote: legal({ kind: 'promote' }),
      can_override: legal({ kind: 'gate', gate: 'policy', event: 'override' }),
      can_abandon: legal({ kind: 'abandon' }),
    },
    terminal: isTerminal(current.state),
    awaiting: awaiting(current),
  };
}
