// The console stream's projection: each workspace's entry as of its last delta. Projecting an owner rebuilds its
// entries with the page function, diffs them against the stored ones and, in one transaction, stores the new
// entries and appends one `delta` event per changed workspace, so the log holds every step between snapshots.
import { diffEntry, type WorkspaceDelta } from '../core/console-delta.ts';
import type { ConsoleEntry } from '../core/schemas/console.ts';
import { readConsolePage } from './console-page.ts';
import type { Queryable, Sql } from './db.ts';
import { latestStreamEventId } from './stream-events.ts';
import { streamLowWater } from './stream-retention.ts';
import { transact, type Db } from './transact.ts';

/** Runs per workspace the stream carries (the REST page's default `run_limit`). */
export const STREAM_RUN_LIMIT = 10;
const PAGE = 200;

export async function readAllEntries(sql: Queryable, ownerId: string): Promise<ConsoleEntry[]> {
  const entries: ConsoleEntry[] = [];
  for (let afterId = 0; ; ) {
    const page = await readConsolePage(sql, { ownerId, afterId, limit: PAGE, runLimit: STREAM_RUN_LIMIT });
    entries.push(...page.entries);
    if (page.nextAfterId === null) return entries;
    afterId = page.nextAfterId;
  }
}

interface Stored {
  workspace_id: number;
  entry: ConsoleEntry;
  version: number;
}

/** Bring the owner's projection up to date; answers the deltas appended (none when nothing changed). */
export async function projectConsole(db: Db, ownerId: string): Promise<WorkspaceDelta[]> {
  return transact(db, async (uow) => {
    const { tx } = uow;
    // One projector per owner at a time, on any node: the second sees the first's rows and finds nothing new.
    await tx`SELECT pg_advisory_xact_lock(hashtext('console-projection:' || ${ownerId}))`;
    const current = await readAllEntries(tx, ownerId);
    const stored = await tx<Stored[]>`SELECT workspace_id, entry, version FROM lifecycle_console_projection WHERE owner_id = ${ownerId}`;
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
    if (deltas.length === 0) return deltas;
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
    return deltas;
  });
}

/** The projection at one cursor: read in one repeatable-read snapshot, so entries and cursor agree. */
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
