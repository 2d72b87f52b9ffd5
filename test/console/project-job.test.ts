// The console-project job's contract on a real database: a burst of marks of one workspace writes one job and is one
// projection; a job that meets a writer still holding a mark waits for its commit and projects its change; a job
// projects only the marked workspaces; a run, VM instance or server mark reaches the workspaces showing its runs.
import { describe, expect, it } from 'vitest';
import type { ConsoleMark } from '../../core/console-marks.ts';
import { writeConsoleMarks } from '../../sql/console-marks.ts';
import { readConsoleSnapshot } from '../../sql/console-snapshot.ts';
import { readStreamEvents } from '../../sql/stream-events.ts';
import { transact } from '../../sql/transact.ts';
import { createConsoleProjectHandler } from '../../workers/console-project.ts';
import { waitFor } from '../support/wait.ts';
import { consoleDatabase, seedInstance, seedPlaybook, seedRun, seedWorkspace } from './support.ts';

const ctx = consoleDatabase();

const mark = (owner: string, kind: ConsoleMark['kind'], id: number): ConsoleMark => ({ owner_id: owner, kind, subject_id: id });
const jobsOf = async (owner: string) => ctx.db.sql`SELECT 1 FROM outbox WHERE queue = 'console-project' AND payload->>'owner_id' = ${owner}`;
const deltasOf = async (owner: string) => readStreamEvents(ctx.db.sql, { topic: 'console', ownerId: owner, afterId: 0, limit: 1000 });

describe('console-project job', () => {
  it('makes a burst of changes to one workspace one job and one projection', async () => {
    const workspace = await seedWorkspace(ctx.db.sql, { owner: 'burst', key: 'one' });
    for (let change = 0; change < 5; change++) await transact(ctx.writer, async (uow) => uow.mark([mark('burst', 'workspace', workspace.id)]));
    expect(await jobsOf('burst')).toHaveLength(1);
    const handle = createConsoleProjectHandler({ db: ctx.writer });
    expect(await handle({ owner_id: 'burst', scope: 'marked' })).toEqual({ workspaces: 1, deltas: 1 });
    expect(await handle({ owner_id: 'burst', scope: 'marked' })).toEqual({ workspaces: 0, deltas: 0 });
    // The mark was taken: the next change writes a job again.
    await transact(ctx.writer, async (uow) => uow.mark([mark('burst', 'workspace', workspace.id)]));
    expect(await jobsOf('burst')).toHaveLength(2);
  });

  it('waits for a writer still holding a mark, then projects its change', async () => {
    const workspace = await seedWorkspace(ctx.db.sql, { owner: 'held', key: 'held' });
    await transact(ctx.writer, async (uow) => uow.mark([mark('held', 'workspace', workspace.id)]));
    let commit: () => void = () => {};
    let marked: () => void = () => {};
    const holding = new Promise<void>((resolve) => (marked = resolve));
    const write = ctx.db.sql.begin(async (tx) => {
      await tx`UPDATE runtime_vm_remediation_workspaces SET display_name = 'renamed' WHERE id = ${workspace.id}`;
      await writeConsoleMarks(tx, [mark('held', 'workspace', workspace.id)]);
      marked();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await holding;
    const job = createConsoleProjectHandler({ db: ctx.writer })({ owner_id: 'held', scope: 'marked' });
    await waitFor(async () => ctx.db.sql`SELECT 1 FROM pg_locks WHERE NOT granted AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())`, (rows) => rows.length > 0, { what: 'the job waiting on the held mark' });
    commit();
    await write;
    expect(await job).toEqual({ workspaces: 1, deltas: 1 });
    const snapshot = await readConsoleSnapshot(ctx.db.sql, 'held');
    expect(snapshot.entries.map((entry) => entry.workspace.display_name)).toEqual(['renamed']);
  });

  it('projects only the marked workspaces, and resolves run, instance and server marks to the workspaces showing the runs', async () => {
    const [a, b, c] = [await seedWorkspace(ctx.db.sql, { owner: 'scoped', key: 'a' }), await seedWorkspace(ctx.db.sql, { owner: 'scoped', key: 'b' }), await seedWorkspace(ctx.db.sql, { owner: 'scoped', key: 'c' })];
    const { serverId, instanceId } = await seedInstance(ctx.db.sql, 'scoped');
    const playbookId = await seedPlaybook(ctx.db.sql, 'scoped');
    const runA = await seedRun(ctx.db.sql, { owner: 'scoped', instanceId, playbookId, workspaceKey: 'a' });
    await seedRun(ctx.db.sql, { owner: 'scoped', instanceId, playbookId, workspaceKey: 'b' });
    const handle = createConsoleProjectHandler({ db: ctx.writer });
    const projected = async (marks: ConsoleMark[]) => {
      const before = (await deltasOf('scoped')).length;
      await transact(ctx.writer, async (uow) => uow.mark(marks));
      await handle({ owner_id: 'scoped', scope: 'marked' });
      return (await deltasOf('scoped')).slice(before).map((event) => Number(event.subject_id)).sort((x, y) => x - y);
    };
    expect(await projected([mark('scoped', 'run', runA)])).toEqual([a.id]);
    await ctx.db.sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = 'quarantined', version = version + 1 WHERE vm_instance_id = ${instanceId}`;
    expect(await projected([mark('scoped', 'vm_instance', instanceId)])).toEqual([a.id, b.id]);
    await ctx.db.sql`INSERT INTO capability_intelligence_scores (owner_id, server_id, capability, score, notes) VALUES ('scoped', ${serverId}, 'runtime', 50, '[]')`;
    expect(await projected([mark('scoped', 'server', serverId)])).toEqual([a.id, b.id]);
    expect(await projected([mark('scoped', 'workspace', c.id)])).toEqual([c.id]);
  });

  it('marks nothing and enqueues nothing for an instance or server no console entry shows', async () => {
    const { serverId, instanceId } = await seedInstance(ctx.db.sql, 'unshown');
    const playbookId = await seedPlaybook(ctx.db.sql, 'unshown');
    // A run outside every workspace does not make its instance shown.
    await seedRun(ctx.db.sql, { owner: 'unshown', instanceId, playbookId });
    await transact(ctx.writer, async (uow) => uow.mark([mark('unshown', 'vm_instance', instanceId), mark('unshown', 'server', serverId)]));
    expect(await ctx.db.sql`SELECT 1 FROM lifecycle_console_dirty WHERE owner_id = 'unshown'`).toHaveLength(0);
    expect(await jobsOf('unshown')).toHaveLength(0);
    await seedWorkspace(ctx.db.sql, { owner: 'unshown', key: 'later' });
    await seedRun(ctx.db.sql, { owner: 'unshown', instanceId, playbookId, workspaceKey: 'later' });
    await transact(ctx.writer, async (uow) => uow.mark([mark('unshown', 'vm_instance', instanceId), mark('unshown', 'server', serverId)]));
    expect(await ctx.db.sql`SELECT kind FROM lifecycle_console_dirty WHERE owner_id = 'unshown' ORDER BY kind`).toEqual([{ kind: 'server' }, { kind: 'vm_instance' }]);
    expect(await jobsOf('unshown')).toHaveLength(1);
  });
});
