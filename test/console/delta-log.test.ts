// The console stream's log as a property, on a real database: after any sequence of changes (runs, promotions,
// postures, removals), projected after each step, snapshot(0) plus the deltas up to every cursor N equals the
// snapshot at N, and a client resuming at any cursor ends in the same final state.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, type WorkspaceDelta } from '../../core/console-delta.ts';
import { canonicalJson } from '../../core/console-entries.ts';
import type { ConsoleEntry } from '../../core/schemas/console.ts';
import { projectConsole, readConsoleSnapshot } from '../../sql/console-projection.ts';
import { readStreamEvents, type StreamEvent } from '../../sql/stream-events.ts';
import { createDb, type Db } from '../../sql/transact.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedInstance, seedPlaybook, seedRun, seedWorkspace } from './support.ts';

let db: TestDatabase;
let writer: Db;
beforeAll(async () => {
  db = await createTestDatabase();
  writer = createDb(db.sql);
});
afterAll(async () => db?.drop());

type Change =
  | { kind: 'workspace' }
  | { kind: 'run'; workspace: number }
  | { kind: 'status'; run: number; status: string }
  | { kind: 'delete-run'; run: number }
  | { kind: 'trust'; state: string }
  | { kind: 'promotion'; workspace: number; allowed: boolean }
  | { kind: 'posture'; promotion: number; allowed: boolean }
  | { kind: 'delete-promotion'; promotion: number }
  | { kind: 'remove-workspace'; workspace: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constant({ kind: 'workspace' as const }),
  fc.record({ kind: fc.constant('run' as const), workspace: fc.nat(4) }),
  fc.record({ kind: fc.constant('status' as const), run: fc.nat(9), status: fc.constantFrom('succeeded', 'failed', 'cancelled') }),
  fc.record({ kind: fc.constant('delete-run' as const), run: fc.nat(9) }),
  fc.record({ kind: fc.constant('trust' as const), state: fc.constantFrom('quarantined', 'restored', 'suspect') }),
  fc.record({ kind: fc.constant('promotion' as const), workspace: fc.nat(4), allowed: fc.boolean() }),
  fc.record({ kind: fc.constant('posture' as const), promotion: fc.nat(4), allowed: fc.boolean() }),
  fc.record({ kind: fc.constant('delete-promotion' as const), promotion: fc.nat(4) }),
  fc.record({ kind: fc.constant('remove-workspace' as const), workspace: fc.nat(4) }),
);

const pick = <T>(items: T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);

function fold(start: Map<number, ConsoleEntry>, events: StreamEvent[]): Map<number, ConsoleEntry> {
  const state = new Map([...start].map(([id, entry]) => [id, structuredClone(entry)]));
  for (const event of events) applyDelta(state, event.payload as unknown as WorkspaceDelta);
  return state;
}
const canonical = (state: Map<number, ConsoleEntry>) => canonicalJson([...state.values()].sort((a, b) => a.workspace.id - b.workspace.id));

describe('console delta log', () => {
  it('snapshot(0) + deltas up to N equals snapshot(N) for every N, and every resume ends in the final state', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 12 }), async (changes) => {
        const owner = `prop-${round++}`;
        const sql = db.sql;
        const { instanceId } = await seedInstance(sql, owner);
        const playbookId = await seedPlaybook(sql, owner);
        const workspaces: { id: number; key: string; revisionId: number }[] = [];
        const runs: number[] = [];
        const promotions: number[] = [];
        let made = 0;
        const snapshots = [await readConsoleSnapshot(sql, owner)];
        for (const step of changes) {
          const workspace = pick(workspaces, 'workspace' in step ? step.workspace : 0);
          if (step.kind === 'workspace' || workspaces.length === 0) {
            const key = `w-${made++}`;
            workspaces.push({ key, ...(await seedWorkspace(sql, { owner, key })) });
          } else if (step.kind === 'run' && workspace) {
            runs.push(await seedRun(sql, { owner, instanceId, playbookId, workspaceKey: workspace.key }));
          } else if (step.kind === 'status' && runs.length > 0) {
            await sql`UPDATE runtime_vm_remediation_runs SET status = ${step.status}, version = version + 1 WHERE id = ${pick(runs, step.run)!}`;
          } else if (step.kind === 'delete-run' && runs.length > 0) {
            const id = pick(runs, step.run)!;
            runs.splice(runs.indexOf(id), 1);
            await sql`DELETE FROM runtime_vm_remediation_runs WHERE id = ${id}`;
          } else if (step.kind === 'trust') {
            await sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = ${step.state}, version = version + 1 WHERE vm_instance_id = ${instanceId}`;
          } else if (step.kind === 'promotion' && workspace) {
            const [row] = await sql<{ id: number }[]>`
              INSERT INTO runtime_vm_remediation_promotions (owner_id, workspace_id, revision_id, playbook_id, requested_by, posture_verdict)
              VALUES (${owner}, ${workspace.id}, ${workspace.revisionId}, ${playbookId}, 'alice', ${sql.json({ allowed: step.allowed })}) RETURNING id`;
            promotions.push(row!.id);
            await sql`
              INSERT INTO runtime_vm_remediation_promotion_runs (promotion_id, owner_id, workspace_id, runtime_vm_instance_id, ordinal, playbook_id, remediation_run_id)
              VALUES (${row!.id}, ${owner}, ${workspace.id}, ${instanceId}, 1, ${playbookId}, ${pick(runs, 0) ?? null})`;
          } else if (step.kind === 'posture' && promotions.length > 0) {
            await sql`UPDATE runtime_vm_remediation_promotions SET posture_verdict = ${sql.json({ allowed: step.allowed, veto_reasons: step.allowed ? [] : ['drift'] })}, status = 'running' WHERE id = ${pick(promotions, step.promotion)!}`;
          } else if (step.kind === 'delete-promotion' && promotions.length > 0) {
            const id = pick(promotions, step.promotion)!;
            promotions.splice(promotions.indexOf(id), 1);
            await sql`DELETE FROM runtime_vm_remediation_promotions WHERE id = ${id}`;
          } else if (step.kind === 'remove-workspace' && workspace) {
            workspaces.splice(workspaces.indexOf(workspace), 1);
            await sql`DELETE FROM runtime_vm_remediation_promotions WHERE workspace_id = ${workspace.id}`;
            await sql`DELETE FROM runtime_vm_remediation_workspaces WHERE id = ${workspace.id}`;
          }
          await projectConsole(writer, owner);
          snapshots.push(await readConsoleSnapshot(sql, owner));
        }
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
  }, 120_000);
});
