// The console stream's projection: each workspace's entry as of its last delta. Projecting rebuilds entries with the
// page function, diffs them against the stored ones and, in one transaction, stores the new entries and appends one
// `delta` event per changed workspace, so the log holds every step between snapshots. Only the console-project job
// (workers/console-project.ts) calls it: `projectMarked` for the workspaces changes marked, `projectConsole` for all.
import { diffEntry, type WorkspaceDelta } from '../core/console-delta.ts';
import { logDelta } from '../core/console-log-delta.ts';
import type { ConsoleEntry } from '../core/schemas/console.ts';
import { expandMarks, takeWorkspaceMarks } from './console-marks.ts';
import { readConsolePage } from './console-page.ts';
import type { Queryable } from './db.ts';
import { transact, type Db, type UnitOfWork } from './transact.ts';

/** Runs per workspace the stream carries (the REST page's default `run_limit`). */
export const STREAM_RUN_LIMIT = 10;
/** Workspaces per projection transaction (and per page read). */
const PAGE = 50;

interface Stored {
  workspace_id: number;
  entry: ConsoleEntry;
  version: number;
}

/**
 * One projector per owner at a time, on any node and in any job: the second waits, then reads the first's rows, so
 * every delta's `version_from` is the stored version.
 */
async function lockOwner(tx: Queryable, ownerId: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext('console-projection:' || ${ownerId}))`;
}

/**
 * Bring the whole owner's projection up to date; answers the deltas appended (none when nothing changed). Workspaces
 * are projected PAGE at a time, each page in its own transaction (its rows and its deltas commit together), so a
 * large tenant never needs one giant statement; a snapshot reads committed pages only, always consistently.
 */
export async function projectConsole(db: Db, ownerId: string): Promise<WorkspaceDelta[]> {
  const deltas: WorkspaceDelta[] = [];
  for (let afterId = 0; ; ) {
    const step = await transact(db, async (uow) => {
      await lockOwner(uow.tx, ownerId);
      const page = await readConsolePage(uow.tx, { ownerId, afterId, limit: PAGE, runLimit: STREAM_RUN_LIMIT });
      // The stored rows this page covers: its id range, or everything after it on the last page (removed workspaces).
      const upTo = page.nextAfterId ?? Number.MAX_SAFE_INTEGER;
      const stored = await uow.tx<Stored[]>`
        SELECT workspace_id, entry, version FROM lifecycle_console_projection
        WHERE owner_id = ${ownerId} AND workspace_id > ${afterId} AND workspace_id <= ${upTo}`;
      return { deltas: await reproject(uow, ownerId, page.entries, stored), nextAfterId: page.nextAfterId };
    });
    deltas.push(...step.deltas);
    if (step.nextAfterId === null) return deltas;
    afterId = step.nextAfterId;
  }
}

/**
 * Project the workspaces the owner's marks name, PAGE per transaction, each taking its marks in the transaction
 * that projects them (a failure leaves them marked); answers how many workspaces were looked at and the deltas.
 */
export async function projectMarked(db: Db, ownerId: string): Promise<{ workspaces: number; deltas: WorkspaceDelta[] }> {
  const result = { workspaces: 0, deltas: [] as WorkspaceDelta[] };
  for (;;) {
    const taken = await transact(db, async (uow) => {
      await lockOwner(uow.tx, ownerId);
      await expandMarks(uow.tx, ownerId);
      const ids = await takeWorkspaceMarks(uow.tx, ownerId, PAGE);
      if (ids.length === 0) return 0;
      const page = await readConsolePage(uow.tx, { ownerId, afterId: 0, limit: ids.length, workspaceIds: ids, runLimit: STREAM_RUN_LIMIT });
      const stored = await uow.tx<Stored[]>`
        SELECT workspace_id, entry, version FROM lifecycle_console_projection WHERE owner_id = ${ownerId} AND workspace_id = ANY(${ids}::bigint[])`;
      result.deltas.push(...(await reproject(uow, ownerId, page.entries, stored)));
      return ids.length;
    });
    result.workspaces += taken;
    if (taken < PAGE) return result;
  }
}

/** Diff `current` against `stored` (a stored row with no current entry: the workspace went away) and write the deltas. */
async function reproject(uow: UnitOfWork, ownerId: string, current: ConsoleEntry[], stored: Stored[]): Promise<WorkspaceDelta[]> {
  const before = new Map(stored.map((row) => [Number(row.workspace_id), row]));
  const deltas: WorkspaceDelta[] = [];
  for (const entry of current) {
    const old = before.get(entry.workspace.id);
    before.delete(entry.workspace.id);
    const version = old?.version ?? 0;
    const delta = diffEntry(old?.entry, entry, { from: version, to: version + 1 });
    if (delta !== null) deltas.push(delta);
  }
  for (const old of before.values()) deltas.push(diffEntry(old.entry, undefined, { from: old.version, to: old.version + 1 }) as WorkspaceDelta);
  if (deltas.length > 0) await storeDeltas(uow, ownerId, current, new Map(stored.map((row) => [Number(row.workspace_id), row.entry])), deltas);
  return deltas;
}

async function storeDeltas(uow: UnitOfWork, ownerId: string, current: ConsoleEntry[], previous: Map<number, ConsoleEntry>, deltas: WorkspaceDelta[]): Promise<void> {
  const { tx } = uow;
  const byId = new Map(current.map((entry) => [entry.workspace.id, entry]));
  const upserts = deltas.filter((delta) => !delta.removed).map((delta) => ({
    workspace_id: delta.workspace_id,
    workspace_key: delta.workspace_key,
    entry: byId.get(delta.workspace_id),
    version: delta.version_to,
  }));
  if (upserts.length > 0) {
    await tx`
      INSERT INTO lifecycle_console_projection (owner_id, workspace_id, workspace_key, entry, version)
      SELECT ${ownerId}, u.workspace_id, u.workspace_key, u.entry, u.version
      FROM jsonb_to_recordset(${tx.json(upserts as never)}) AS u(workspace_id bigint, workspace_key text, entry jsonb, version integer)
      ON CONFLICT (owner_id, workspace_id) DO UPDATE SET entry = excluded.entry, version = excluded.version, workspace_key = excluded.workspace_key, updated_at = now()`;
  }
  const removed = deltas.filter((delta) => delta.removed).map((delta) => delta.workspace_id);
  if (removed.length > 0) await tx`DELETE FROM lifecycle_console_projection WHERE owner_id = ${ownerId} AND workspace_id = ANY(${removed}::bigint[])`;
  for (const delta of deltas) {
    const payload = logDelta(delta, previous.get(delta.workspace_id), byId.get(delta.workspace_id));
    uow.emit({ topic: 'console', owner_id: ownerId, subject_id: String(delta.workspace_id), event: 'delta', payload: payload as never });
  }
}
