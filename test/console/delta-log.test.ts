// The console stream's log as a property, on a real database: after any sequence of changes (runs, promotions,
// postures, removals), projected after each step, snapshot(0) plus the deltas up to every cursor N equals the
// snapshot at N, and a client resuming at any cursor ends in the same final state. Two ways of projecting: the
// full projection, and the console-project job's path (the changes' marks, two jobs of the owner at once, one of
// them sometimes a full reconciliation), which must also leave nothing for a full projection to find.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, type WorkspaceDelta } from '../../core/console-delta.ts';
import { canonicalJson } from '../../core/console-entries.ts';
import type { ConsoleEntry } from '../../core/schemas/console.ts';
import { projectConsole } from '../../sql/console-projection.ts';
import { readConsoleSnapshot } from '../../sql/console-snapshot.ts';
import { readStreamEvents, type StreamEvent } from '../../sql/stream-events.ts';
import { transact } from '../../sql/transact.ts';
import { createConsoleProjectHandler } from '../../workers/console-project.ts';
import { change, createWorld } from './changes.ts';
import { consoleDatabase, seedInstance, seedPlaybook } from './support.ts';

const ctx = consoleDatabase();

function fold(start: Map<number, ConsoleEntry>, events: StreamEvent[]): Map<number, ConsoleEntry> {
  const state = new Map([...start].map(([id, entry]) => [id, structuredClone(entry)]));
  for (const event of events) applyDelta(state, event.payload as unknown as WorkspaceDelta);
  return state;
}
const canonical = (state: Map<number, ConsoleEntry>) => canonicalJson([...state.values()].sort((a, b) => a.workspace.id - b.workspace.id));

type Mode = 'full' | 'job';
let round = 0;

describe('console delta log', () => {
  it.each<Mode>(['full', 'job'])('snapshot(0) + deltas up to N equals snapshot(N) for every N, and every resume ends in the final state (%s)', async (mode) => {
    const handle = createConsoleProjectHandler({ db: ctx.writer });
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), async (changes, reconcileToo) => {
        const owner = `prop-${mode}-${round++}`;
        const sql = ctx.db.sql;
        const { instanceId } = await seedInstance(sql, owner);
        const apply = createWorld(sql, owner, instanceId, await seedPlaybook(sql, owner));
        const snapshots = [await readConsoleSnapshot(sql, owner)];
        for (const [index, step] of changes.entries()) {
          const marks = await apply(step);
          if (mode === 'full') await projectConsole(ctx.writer, owner);
          else {
            await transact(ctx.writer, async (uow) => uow.mark(marks));
            // Two projections of the owner at once: they serialise on its lock, the second finds what is left.
            const second = reconcileToo[index] ? { owner_id: owner, scope: 'full' as const } : { owner_id: owner, scope: 'marked' as const };
            await Promise.all([handle({ owner_id: owner, scope: 'marked' }), handle(second)]);
          }
          snapshots.push(await readConsoleSnapshot(sql, owner));
        }
        // The job path missed nothing: a full projection now finds every entry as stored.
        expect(await projectConsole(ctx.writer, owner)).toEqual([]);
        expect(await sql`SELECT 1 FROM lifecycle_console_dirty WHERE owner_id = ${owner}`).toHaveLength(0);
        const events = await readStreamEvents(sql, { topic: 'console', ownerId: owner, afterId: 0, limit: 10_000 });
        const final = snapshots.at(-1)!;
        for (const snapshot of snapshots) {
          const upTo = fold(new Map(), events.filter((event) => event.id <= snapshot.cursor));
          expect(canonical(upTo)).toBe(canonicalJson(snapshot.entries));
          // Resume at this cursor with the state held there: the rest of the log reaches the final snapshot.
          const resumed = fold(new Map(snapshot.entries.map((entry) => [entry.workspace.id, entry])), events.filter((event) => event.id > snapshot.cursor));
          expect(canonical(resumed)).toBe(canonicalJson(final.entries));
        }
        // Every delta moves its workspace one version on, from the version the previous delta left it at.
        const versions = new Map<number, number>();
        for (const event of events) {
          const delta = event.payload as unknown as WorkspaceDelta;
          expect(delta.version_from).toBe(versions.get(delta.workspace_id) ?? 0);
          expect(delta.version_to).toBe(delta.version_from + 1);
          versions.set(delta.workspace_id, delta.removed ? 0 : delta.version_to);
        }
      }),
      { numRuns: 15 },
    );
  }, 180_000);
});
