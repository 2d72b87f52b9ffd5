// The gate state machine of a workspace revision: one transition table for the schema, policy, simulation and
// promotion gates. docs/workspaces.md draws the same table; test/core/workspace-gate.test.ts keeps them equal.
import { z } from 'zod';

export const gateStatus = z.enum(['pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale']);
export type GateStatus = z.infer<typeof gateStatus>;

export const gateName = z.enum(['schema', 'policy', 'simulation', 'promotion']);
export type GateName = z.infer<typeof gateName>;

/** The gates a revision must clear before it may be promoted, in the order they are run. */
export const validationGates = ['schema', 'policy', 'simulation'] as const satisfies readonly GateName[];
export type ValidationGate = (typeof validationGates)[number];

export const gateEvent = z.enum(['start', 'pass', 'fail', 'inconclusive', 'error', 'override', 'stale']);
export type GateEvent = z.infer<typeof gateEvent>;

type Row = readonly [from: GateStatus, on: GateEvent, to: GateStatus];

const restartable: readonly GateStatus[] = ['pending', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale'];

// Every legal (status, event) pair; anything absent is illegal. Principles: a result arrives only for a running
// gate; only a failure can be overridden (never `inconclusive`: what could not be judged is not a pass); a gate
// that judged something that has since changed is `stale`, and any settled gate may be run again.
export const gateTransitions: readonly Row[] = [
  ...restartable.map((from) => [from, 'start', 'running'] as const),
  ['running', 'pass', 'passed'],
  ['running', 'fail', 'failed'],
  ['running', 'inconclusive', 'inconclusive'],
  ['running', 'error', 'error'],
  ['running', 'stale', 'stale'],
  ['failed', 'override', 'overridden'],
  ['passed', 'stale', 'stale'],
  ['overridden', 'stale', 'stale'],
];

const table = new Map(gateTransitions.map(([from, on, to]) => [`${from} ${on}`, to]));

export function nextGate(from: GateStatus, event: GateEvent): GateStatus | undefined {
  return table.get(`${from} ${event}`);
}

/** Only these count towards a promotion. */
export function isSatisfied(status: GateStatus): boolean {
  return status === 'passed' || status === 'overridden';
}
