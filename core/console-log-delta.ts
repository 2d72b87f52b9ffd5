// What the console log stores per delta: the client's WorkspaceDelta plus the workspace's lifecycle state before and
// after it (and, when an existing workspace changed state, its whole entry after), so a stream filtered by
// `lifecycle_state` decides from each event alone whether a workspace enters, stays in or leaves the filter: the
// filter needs no per-connection memory, and a resume at any cursor stays exact.
import { diffEntry, type WorkspaceDelta } from './console-delta.ts';
import type { ConsoleEntry } from './schemas/console.ts';

export interface LoggedDelta extends WorkspaceDelta {
  lifecycle_state_from?: string | null;
  lifecycle_state_to?: string | null;
  entry?: ConsoleEntry;
}

export function logDelta(delta: WorkspaceDelta, before: ConsoleEntry | undefined, after: ConsoleEntry | undefined): LoggedDelta {
  const from = before?.workspace.lifecycle_state ?? null;
  const to = delta.removed ? null : (after?.workspace.lifecycle_state ?? null);
  const moved = from !== null && to !== null && from !== to;
  return { ...delta, lifecycle_state_from: from, lifecycle_state_to: to, ...(moved && after ? { entry: after } : {}) };
}

/** The delta as clients see it (the envelope of docs/console.md): without the log's own fields. */
export function clientDelta(logged: LoggedDelta): WorkspaceDelta {
  const { lifecycle_state_from: _from, lifecycle_state_to: _to, entry: _entry, ...delta } = logged;
  return delta;
}

/**
 * What a client filtered by `state` gets for a logged delta: the delta itself while the workspace stays in the
 * state, the whole entry as a delta from version 0 when it enters (the client holds nothing for it), a removal when
 * it leaves, nothing while it is elsewhere.
 */
export function deltaForState(logged: LoggedDelta, state: string): WorkspaceDelta | null {
  const delta = clientDelta(logged);
  const wasIn = logged.lifecycle_state_from === state;
  const isIn = logged.lifecycle_state_to === state;
  if (wasIn && isIn) return delta;
  if (wasIn) return removal(delta);
  if (!isIn) return null;
  if (delta.version_from === 0 || logged.entry === undefined) return delta;
  return diffEntry(undefined, logged.entry, { from: 0, to: delta.version_to });
}

function removal(delta: WorkspaceDelta): WorkspaceDelta {
  return {
    ...delta,
    removed: true,
    workspace_changes: [],
    promotion_run_deltas: [],
    removed_promotion_run_ids: [],
    promotion_posture_deltas: [],
    removed_promotion_ids: [],
    analytics_changes: [],
    artifact_changes: [],
    removed_run_ids: [],
  };
}
