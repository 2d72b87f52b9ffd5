// GET /api/console/lifecycle/stream over HTTP, on data made through the public API and projected by the
// console-project worker: snapshot then deltas, exact resume by Last-Event-ID and ?cursor=, one reset with a fresh
// snapshot for a cursor below retention, the first snapshot of an owner no job has projected yet, and tenancy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneStreamTopic } from '../../sql/stream-retention.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { apiCancel, apiPlaybook, apiRunIn, apiWorkspace } from './api-seed.ts';
import { deltasUntil, expectChained, openConsoleStream, readUntil, snapshotOf, type Change } from './stream-support.ts';
import { seedWorkspace } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['console-project'] });
});
afterAll(async () => platform?.close());

const stream = (owner: string, query = '', headers: Record<string, string> = {}) => openConsoleStream(platform, owner, query, headers);
const isNewRun = (id: number) => (change: Change, runId: number) => runId === id && change.field === 'run';

describe('console stream', () => {
  it('sends the snapshot at cursor N, then each change as a delta from one version to the next', async () => {
    const workspace = await apiWorkspace(platform, { owner: 'live', key: 'alpha', playbookId: await apiPlaybook(platform, 'live') });
    const reader = await stream('live');
    expect(reader.status).toBe(200);
    const opening = await readUntil(reader, 'snapshot-complete');
    const complete = opening.at(-1)!;
    expect(complete.id).toBe(complete.data.cursor);
    const snapshot = snapshotOf(opening);
    expect(snapshot.workspaces.map((entry) => entry.workspace.id)).toEqual([workspace.id]);
    const version = snapshot.versions[workspace.id]!;
    expect(version).toBeGreaterThanOrEqual(1);

    const runId = await apiRunIn(platform, 'live', 'alpha');
    const created = await deltasUntil(reader, isNewRun(runId));
    expect(created[0]!.id).toBeGreaterThan(complete.id);
    expectChained(version, created);
    expect(await apiCancel(platform, runId, { owner: 'live' }).then((response) => response.status)).toBe(200);
    const cancelled = await deltasUntil(reader, (change, id) => id === runId && change.field === 'run.status' && change.current === 'cancelled');
    expectChained(version + created.length, cancelled);
    reader.close();
  });

  it('resumes exactly after Last-Event-ID or ?cursor=: no snapshot, no gap, no repeat', async () => {
    await apiWorkspace(platform, { owner: 'resume', key: 'beta', playbookId: await apiPlaybook(platform, 'resume') });
    const first = await stream('resume');
    const complete = (await readUntil(first, 'snapshot-complete')).at(-1)!;
    const firstRun = await apiRunIn(platform, 'resume', 'beta');
    const seen = (await deltasUntil(first, isNewRun(firstRun))).at(-1)!;
    first.close();
    // Changes while nobody listens: the log keeps them.
    await apiCancel(platform, firstRun, { owner: 'resume' });
    const second = await apiRunIn(platform, 'resume', 'beta');
    for (const resume of [{ query: '', headers: { 'last-event-id': String(seen.id) } as Record<string, string> }, { query: `?cursor=${seen.id}`, headers: {} }]) {
      const reader = await stream('resume', resume.query, resume.headers);
      const missed = await deltasUntil(reader, isNewRun(second));
      expect(missed[0]!.id).toBeGreaterThan(seen.id);
      expectChained(seen.delta.version_to, missed);
      expect(missed.flatMap(({ delta }) => delta.analytics_changes.flatMap((item) => item.changes))).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'run.status', current: 'cancelled' })]));
      expect(reader.events.some((event) => event.event === 'snapshot')).toBe(false);
      reader.close();
    }
    expect(complete.id).toBeLessThan(seen.id);
  });

  it('answers a cursor below retention with one reset and a fresh snapshot on the same connection, then resumes without a reset', async () => {
    await apiWorkspace(platform, { owner: 'reset', key: 'gamma', playbookId: await apiPlaybook(platform, 'reset') });
    const first = await stream('reset');
    const old = (await readUntil(first, 'snapshot-complete')).at(-1)!;
    const runId = await apiRunIn(platform, 'reset', 'gamma');
    // Its delta is in the log before the log is pruned past the old cursor.
    await deltasUntil(first, isNewRun(runId));
    first.close();
    await platform.db.sql`UPDATE stream_events SET created_at = now() - interval '1 day' WHERE topic = 'console'`;
    await pruneStreamTopic(platform.db.sql, 'console', { retentionSeconds: 60, batch: 1000 });
    const reader = await stream('reset', '', { 'last-event-id': String(old.id) });
    const events = await readUntil(reader, 'snapshot-complete');
    expect(events.map((event) => event.event)).toEqual(['reset', 'snapshot', 'snapshot-complete']);
    expect(events[0]!.data, JSON.stringify(events[0]!.data)).toMatchObject({ type: 'reset', reason: 'retention', requested_id: old.id, backoff: { jitter: 'full' } });
    expect(events[0]!.data.retry_ms).toBeGreaterThanOrEqual(1000);
    const workspaces = (events[1]!.data.page as { workspaces: { recent_runs: unknown[] }[] }).workspaces;
    expect(workspaces[0]!.recent_runs).toHaveLength(1);
    reader.close();
    const again = await stream('reset', `?cursor=${events.at(-1)!.id}`);
    await apiRunIn(platform, 'reset', 'gamma').catch(() => undefined);
    const [next] = await again.next(1);
    expect(next!.event).not.toBe('reset');
    again.close();
  });

  it('holds, in the first snapshot of an owner no job has projected, what was written before (no mark, no job)', async () => {
    // Written with SQL: as data older than the console-project job, it marked nothing.
    const workspace = await seedWorkspace(platform.db.sql, { owner: 'legacy', key: 'old' });
    const reader = await stream('legacy');
    const snapshot = snapshotOf(await readUntil(reader, 'snapshot-complete'));
    expect(snapshot.workspaces.map((entry) => entry.workspace.id)).toEqual([workspace.id]);
    expect(snapshot.versions).toEqual({ [workspace.id]: 1 });
    reader.close();
  });

  it('shows a tenant only its own workspaces and answers 404 for another owner_id', async () => {
    await apiWorkspace(platform, { owner: 'tenant-x', key: 'x-only', playbookId: await apiPlaybook(platform, 'tenant-x') });
    await apiWorkspace(platform, { owner: 'tenant-y', key: 'y-only', playbookId: await apiPlaybook(platform, 'tenant-y') });
    const reader = await stream('tenant-y');
    const snapshot = snapshotOf(await readUntil(reader, 'snapshot-complete'));
    expect(snapshot.workspaces.map((entry) => entry.workspace.owner_id)).toEqual(['tenant-y']);
    await apiRunIn(platform, 'tenant-x', 'x-only');
    const mine = await apiRunIn(platform, 'tenant-y', 'y-only');
    const deltas = await deltasUntil(reader, isNewRun(mine));
    expect(new Set(deltas.map(({ delta }) => delta.workspace_key))).toEqual(new Set(['y-only']));
    reader.close();
    const foreign = await platform.api('/api/console/lifecycle/stream?owner_id=tenant-x', { as: { owner: 'tenant-y' } });
    expect(foreign.status).toBe(404);
  });
});
