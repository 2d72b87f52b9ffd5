// Field-level deltas between two console entries of one workspace, and applying them: a client that holds the
// entry at version N and applies the delta N→M (changes first, then removals) holds exactly the entry at M.
import { canonicalJson } from './console-entries.ts';
import type { ConsoleEntry } from './schemas/console.ts';

export interface FieldChange {
  /** A top-level field, or `parent.child` inside the nested objects listed in NESTED. */
  field: string;
  previous: unknown;
  current: unknown;
}
export interface ItemDelta {
  id: number;
  changes: FieldChange[];
}

export interface WorkspaceDelta {
  workspace_id: number;
  workspace_key: string;
  version_from: number;
  version_to: number;
  /** The workspace itself went away: drop it (after applying nothing else). */
  removed: boolean;
  workspace_changes: FieldChange[];
  promotion_run_deltas: ItemDelta[];
  removed_promotion_run_ids: number[];
  promotion_posture_deltas: ItemDelta[];
  removed_promotion_ids: number[];
  analytics_changes: ItemDelta[];
  artifact_changes: ItemDelta[];
  removed_run_ids: number[];
}

type Obj = Record<string, unknown>;
const NESTED = new Set(['workspace', 'active_revision', 'run', 'trust', 'marketplace', 'execution_window', 'manual_override']);
const ARTIFACT_FIELDS = new Set(['artifacts', 'artifact_fingerprints']);
const isObj = (value: unknown): value is Obj => value !== null && typeof value === 'object' && !Array.isArray(value);
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** Every field that differs; a field absent before (a new item) is listed with `previous: null`. */
export function diffFields(previous: Obj | undefined, current: Obj): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(current)) {
    const before = previous?.[field];
    if (previous !== undefined && field in previous && same(before, value)) continue;
    if (NESTED.has(field) && isObj(before) && isObj(value)) {
      for (const change of diffFields(before, value)) changes.push({ ...change, field: `${field}.${change.field}` });
    } else {
      changes.push({ field, previous: before ?? null, current: value });
    }
  }
  return changes;
}

export function applyFields(target: Obj, changes: FieldChange[]): Obj {
  const next: Obj = { ...target };
  for (const { field, current } of changes) {
    const dot = field.indexOf('.');
    if (dot < 0) next[field] = current;
    else {
      const parent = field.slice(0, dot);
      next[parent] = { ...(next[parent] as Obj), [field.slice(dot + 1)]: current };
    }
  }
  return next;
}

function diffItems<T>(before: T[], after: T[], idOf: (item: T) => number, pick: (field: string) => boolean) {
  const old = new Map(before.map((item) => [idOf(item), item as Obj]));
  const deltas: ItemDelta[] = [];
  for (const item of after) {
    const changes = diffFields(old.get(idOf(item)), item as Obj).filter((change) => pick(change.field.split('.')[0] as string));
    if (changes.length > 0) deltas.push({ id: idOf(item), changes });
  }
  const kept = new Set(after.map(idOf));
  return { deltas, removed: [...old.keys()].filter((id) => !kept.has(id)) };
}

const runId = (run: ConsoleEntry['recent_runs'][number]) => run.run.id;
const all = () => true;

/** The delta from `before` (undefined: the workspace is new) to `after` (undefined: it is gone), or null if equal. */
export function diffEntry(before: ConsoleEntry | undefined, after: ConsoleEntry | undefined, versions: { from: number; to: number }): WorkspaceDelta | null {
  const ref = (after ?? before) as ConsoleEntry;
  const base = { workspace_id: ref.workspace.id, workspace_key: ref.workspace.workspace_key, version_from: versions.from, version_to: versions.to };
  const empty = { workspace_changes: [], promotion_run_deltas: [], removed_promotion_run_ids: [], promotion_posture_deltas: [], removed_promotion_ids: [], analytics_changes: [], artifact_changes: [], removed_run_ids: [] };
  if (after === undefined) return before === undefined ? null : { ...base, removed: true, ...empty };
  const prev: ConsoleEntry = before ?? { workspace: undefined as never, active_revision: undefined as never, promotion_runs: [], promotion_postures: [], recent_runs: [] };
  const { workspace, active_revision } = after;
  const workspaceChanges = diffFields(before === undefined ? undefined : { workspace: prev.workspace, active_revision: prev.active_revision }, { workspace, active_revision });
  const promotionRuns = diffItems(prev.promotion_runs, after.promotion_runs, (item) => item.id, all);
  const postures = diffItems(prev.promotion_postures, after.promotion_postures, (item) => item.promotion_id, all);
  const analytics = diffItems(prev.recent_runs, after.recent_runs, runId, (field) => !ARTIFACT_FIELDS.has(field));
  const artifacts = diffItems(prev.recent_runs, after.recent_runs, runId, (field) => ARTIFACT_FIELDS.has(field));
  const delta: WorkspaceDelta = {
    ...base,
    removed: false,
    workspace_changes: workspaceChanges,
    promotion_run_deltas: promotionRuns.deltas,
    removed_promotion_run_ids: promotionRuns.removed,
    promotion_posture_deltas: postures.deltas,
    removed_promotion_ids: postures.removed,
    analytics_changes: analytics.deltas,
    artifact_changes: artifacts.deltas,
    removed_run_ids: analytics.removed,
  };
  const changed = Object.values(delta).some((value) => Array.isArray(value) && value.length > 0);
  return changed || before === undefined ? delta : null;
}

function applyItems<T>(items: T[], deltas: ItemDelta[], removed: number[], idOf: (item: T) => number, order: (a: T, b: T) => number): T[] {
  const byId = new Map(items.map((item) => [idOf(item), item as Obj]));
  for (const { id, changes } of deltas) byId.set(id, applyFields(byId.get(id) ?? {}, changes));
  for (const id of removed) byId.delete(id);
  return ([...byId.values()] as T[]).sort(order);
}

/** Apply one workspace's delta to a client's entries (keyed by workspace id): changes first, then removals. */
export function applyDelta(entries: Map<number, ConsoleEntry>, delta: WorkspaceDelta): void {
  if (delta.removed) {
    entries.delete(delta.workspace_id);
    return;
  }
  const entry = entries.get(delta.workspace_id) ?? ({ promotion_runs: [], promotion_postures: [], recent_runs: [] } as unknown as ConsoleEntry);
  const head = applyFields({ workspace: entry.workspace, active_revision: entry.active_revision }, delta.workspace_changes);
  const runs = applyItems(entry.recent_runs, [...delta.analytics_changes, ...delta.artifact_changes], delta.removed_run_ids, runId, (a, b) => runId(b) - runId(a));
  entries.set(delta.workspace_id, {
    workspace: head.workspace as ConsoleEntry['workspace'],
    active_revision: head.active_revision as ConsoleEntry['active_revision'],
    promotion_runs: applyItems(entry.promotion_runs, delta.promotion_run_deltas, delta.removed_promotion_run_ids, (item) => item.id, (a, b) => a.id - b.id),
    promotion_postures: applyItems(entry.promotion_postures, delta.promotion_posture_deltas, delta.removed_promotion_ids, (item) => item.promotion_id, (a, b) => a.promotion_id - b.promotion_id),
    recent_runs: runs,
  });
}
