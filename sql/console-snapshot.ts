// The console stream's snapshot: the owner's projection and the log's head read in one repeatable-read
// transaction, so the entries are exactly the state at the cursor.
import type { ConsoleEntry } from '../core/schemas/console.ts';
import type { Sql } from './db.ts';
import { latestStreamEventId } from './stream-events.ts';
import { streamLowWater } from './stream-retention.ts';

export interface ConsoleSnapshot {
  cursor: number;
  entries: ConsoleEntry[];
  /** Each workspace's projection version: the `version_from` of its next delta. */
  versions: Record<string, number>;
}

export interface SnapshotFilter {
  workspaceKey?: string | undefined;
  lifecycleState?: string | undefined;
}

export async function readConsoleSnapshot(sql: Sql, ownerId: string, filter: SnapshotFilter = {}): Promise<ConsoleSnapshot> {
  return (await sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', async (tx) => {
    const rows = await tx<{ workspace_id: number; entry: ConsoleEntry; version: number }[]>`
      SELECT workspace_id, entry, version FROM lifecycle_console_projection
      WHERE owner_id = ${ownerId}
        ${filter.workspaceKey === undefined ? tx`` : tx`AND workspace_key = ${filter.workspaceKey}`}
        ${filter.lifecycleState === undefined ? tx`` : tx`AND entry->'workspace'->>'lifecycle_state' = ${filter.lifecycleState}`}
      ORDER BY workspace_id`;
    const versions = Object.fromEntries(rows.map((row) => [String(row.workspace_id), row.version]));
    // A pruned log may hold no row at all: the cursor is then the low-water mark, never below it.
    const cursor = Math.max(await latestStreamEventId(tx, 'console'), await streamLowWater(tx, 'console'));
    return { cursor, entries: rows.map((row) => row.entry), versions };
  })) as ConsoleSnapshot;
}
