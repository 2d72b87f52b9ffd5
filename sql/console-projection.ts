// The console stream's projection: each workspace's entry as of its last delta. Projecting an owner rebuilds its
// entries with the page function, diffs them against the stored ones and, in one transaction, stores the new
// entries and appends one `delta` event per changed workspace, so the log holds every step between snapshots.
import { diffEntry, type WorkspaceDelta } from '../core/console-delta.ts';
import type { ConsoleEntry } from '../core/schemas/console.ts';
import { readConsolePage } from './console-page.ts';
import type { Sql } from './db.ts';
import { latestStreamEventId } from './stream-events.ts';
import { streamLowWater } from './stream-retention.ts';
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
 * Bring the owner's projection up to date; answers the deltas appended (none when nothing changed). Workspaces
 * are projected PAGE at a time, each page in its own transaction (its rows and its deltas commit together), so
 * a large tenant never needs one giant statement; a snapshot reads committed pages only, always consistently.
 */
export async function projectConsole(db: Db, ownerId: string): Promise<WorkspaceDelta[]> {
  const deltas: WorkspaceDelta[] = [];
  for (let afterId = 0; ; ) {
    const step = await projectPage(db, ownerId, afterId);
    deltas.push(...step.deltas);
    if (step.nextAfterId === null) return deltas;
    afterId = step.nextAfterId;
  }
}

async function projectPage(db: Db, ownerId: string, afterId: number): Promise<{ deltas: WorkspaceDelta[]; nextAfterId: number | null }> {
  return transact(db, async (uow) => {
    const { tx } = uow;
    // One projector per owner at a time, on any node: the second sees the first's rows and finds nothing new.
    await tx`SELECT pg_advisory_xact_lock(hashtext('console-projection:' || ${ownerId}))`;
    const page = await readConsolePage(tx, { ownerId, afterId, limit: PAGE, runLimit: STREAM_RUN_LIMIT });
    const current = page.entries;
    // The stored rows this page covers: its id range, or everything after it on the last page (removed workspaces).
    const upTo = page.nextAfterId ?? Number.MAX_SAFE_INTEGER;
    const stored = await tx<Stored[]>`
      SELECT workspace_id, entry, version FROM lifecycle_console_projection
      WHERE owner_id = ${ownerId} AND workspace_id > ${afterId} AND workspace_id <= ${upTo}`;
    const before = new Map(stored.map((row) => [row.workspace_id, row]));
    const deltas: WorkspaceDelta[] = [];
    for (const entry of current) {
      const old = before.get(entry.workspace.id);
      before.delete(entry.workspace.id);
      const version = old?.version ?? 0;
      const delta = diffEntry(old?.entry, entry, { from: version, to: version + 1 });
      if (delta !== null) deltas.push(delta);
    }
    for (const old of before.values()) deltas.push(diffEntry(old.entry, undefined, { from: old.version, to: old.version + 1 }) as WorkspaceDelta);
    if (deltas.length > 0) await storeDeltas(uow, ownerId, current, deltas);
    return { deltas, nextAfterId: page.nextAfterId };
  });
}

async function storeDeltas(uow: UnitOfWork, ownerId: string, current: ConsoleEntry[], deltas: WorkspaceDelta[]): Promise<void> {
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
    uow.emit({ topic: 'console', owner_id: ownerId, subject_id: String(delta.workspace_id), event: 'delta', payload: delta as never });
  }
}

export interface ConsoleSnapshot {
  cursor: number;
  entries: ConsoleEntry[];
  /** Each workspace's projection version: the `version_from` of its next delta. */
  versions: Record<string, number>;
}

export async function readConsoleSnapshot(sql: Sql, ownerId: string, workspaceKey?: string): Promise<ConsoleSnapshot> {
  return (await sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', async (tx) => {
    const rows = await tx<{ workspace_id: number; entry: ConsoleEntry; version: number }[]>`
      SELECT workspace_id, entry, version FROM lifecycle_console_projection
      WHERE owner_id = ${ownerId} ${workspaceKey === undefined ? tx`` : tx`AND workspace_key = ${workspaceKey}`}
      ORDER BY workspace_id`;
    const versions = Object.fromEntries(rows.map((row) => [String(row.workspace_id), row.version]));
    // A pruned log may hold no row at all: the cursor is then the low-water mark, never below it.
    const cursor = Math.max(await latestStreamEventId(tx, 'console'), await streamLowWater(tx, 'console'));
    return { cursor, entries: rows.map((row) => row.entry), versions };
  })) as ConsoleSnapshot;
}
