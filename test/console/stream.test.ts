// GET /api/console/lifecycle/stream over HTTP: snapshot then deltas, exact resume by Last-Event-ID and ?cursor=,
// one reset with a fresh snapshot for a cursor below retention, and tenancy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectConsole } from '../../sql/console-projection.ts';
import { pruneStreamTopic } from '../../sql/stream-retention.ts';
import { createDb } from '../../sql/transact.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSse, type SseEvent } from '../trust/sse-client.ts';
import { seedInstance, seedPlaybook, seedWorkspace } from './support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['console-project'] });
});
afterAll(async () => platform?.close());

const stream = async (owner: string, query = '', headers: Record<string, string> = {}) =>
  openSse(`${platform.url}/api/console/lifecycle/stream${query}`, await platform.token({ owner, roles: ['viewer'] }), headers);

/** Read events until one named `event` arrives; answers everything read. */
async function readUntil(reader: Awaited<ReturnType<typeof stream>>, event: string): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  while (seen.at(-1)?.event !== event) seen.push(...(await reader.next(1)));
  return seen;
}

const deltas = (events: SseEvent[]) => events.filter((event) => event.event === 'delta');

async function createRun(owner: string, workspaceKey: string): Promise<number> {
  const playbookId = await seedPlaybook(platform.db.sql, owner, `pb-${Math.random().toString(36).slice(2, 8)}`);
  const { instanceId } = await seedInstance(platform.db.sql, owner);
  const response = await platform.api('/api/trust/remediation/runs', { method: 'POST', json: { playbook_id: playbookId, vm_instance_id: instanceId, metadata: { workspace_key: workspaceKey } }, as: { owner } });
  expect(response.status).toBe(201);
  return (await response.json()).id;
}

describe('console stream', () => {
  it('sends the snapshot at cursor N, then each change as a delta from one version to the next', async () => {
    const workspace = await seedWorkspace(platform.db.sql, { owner: 'live', key: 'alpha' });
    const reader = await stream('live');
    expect(reader.status).toBe(200);
    const opening = await readUntil(reader, 'snapshot-complete');
    const snapshot = opening.find((event) => event.event === 'snapshot')!;
    const complete = opening.at(-1)!;
    expect(complete.id).toBe(complete.data.cursor);
    expect((snapshot.data.page as { workspaces: { workspace: { id: number } }[] }).workspaces.map((entry) => entry.workspace.id)).toEqual([workspace.id]);
    expect((snapshot.data.page as { versions: Record<string, number> }).versions).toEqual({ [workspace.id]: 1 });

    const runId = await createRun('live', 'alpha');
    const [delta] = deltas(await readUntil(reader, 'delta'));
    expect(delta!.id).toBeGreaterThan(complete.id);
    const [change] = (delta!.data.delta as { workspaces: Record<string, unknown>[] }).workspaces;
    expect(change).toMatchObject({ workspace_id: workspace.id, version_from: 1, version_to: 2, removed_run_ids: [] });
    expect(change!.analytics_changes).toEqual([expect.objectContaining({ id: runId, changes: expect.arrayContaining([{ field: 'run', previous: null, current: expect.objectContaining({ id: runId }) }]) })]);

    await platform.db.sql`UPDATE runtime_vm_remediation_runs SET status = 'cancelled', version = version + 1 WHERE id = ${runId}`;
    const [next] = deltas(await readUntil(reader, 'delta'));
    const [statusChange] = (next!.data.delta as { workspaces: { analytics_changes: { changes: unknown[] }[]; version_from: number }[] }).workspaces;
    expect(statusChange!.version_from).toBe(2);
    expect(statusChange!.analytics_changes[0]!.changes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'run.status', current: 'cancelled' })]));
    reader.close();
  });

  it('resumes exactly after Last-Event-ID or ?cursor=: no snapshot, no gap, no repeat', async () => {
    await seedWorkspace(platform.db.sql, { owner: 'resume', key: 'beta' });
    const first = await stream('resume');
    const complete = (await readUntil(first, 'snapshot-complete')).at(-1)!;
    await createRun('resume', 'beta');
    const [seen] = deltas(await readUntil(first, 'delta'));
    first.close();
    // Changes while nobody listens: the log keeps them.
    await platform.db.sql`UPDATE runtime_vm_remediation_runs SET status = 'cancelled', version = version + 1 WHERE owner_id = 'resume'`;
    const second = await createRun('resume', 'beta');
    for (const resume of [{ query: '', headers: { 'last-event-id': String(seen!.id) } as Record<string, string> }, { query: `?cursor=${seen!.id}`, headers: {} }]) {
      const reader = await stream('resume', resume.query, resume.headers);
      // The changes made while away (in one delta or two, as the projector saw them), versions chained from 2.
      type Change = { version_from: number; version_to: number; analytics_changes: { id: number; changes: { field: string; current: unknown }[] }[] };
      const missed: { id: number; change: Change }[] = [];
      while (!missed.some(({ change }) => change.analytics_changes.some((item) => item.id === second))) {
        for (const event of deltas(await readUntil(reader, 'delta'))) missed.push({ id: event.id, change: (event.data.delta as { workspaces: Change[] }).workspaces[0]! });
      }
      expect(missed[0]!.id).toBeGreaterThan(seen!.id);
      expect(missed.map(({ change }) => change.version_from)).toEqual(missed.map((_, index) => 2 + index));
      expect(missed.flatMap(({ change }) => change.analytics_changes.flatMap((item) => item.changes))).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'run.status', current: 'cancelled' })]));
      expect(reader.events.some((event) => event.event === 'snapshot')).toBe(false);
      reader.close();
    }
    expect(complete.id).toBeLessThan(seen!.id);
  });

  it('answers a cursor below retention with one reset and a fresh snapshot on the same connection, then resumes without a reset', async () => {
    await seedWorkspace(platform.db.sql, { owner: 'reset', key: 'gamma' });
    const first = await stream('reset');
    const old = (await readUntil(first, 'snapshot-complete')).at(-1)!;
    first.close();
    await createRun('reset', 'gamma');
    // Its delta is in the log (projecting again is harmless) before the log is pruned past the old cursor.
    await projectConsole(createDb(platform.db.sql), 'reset');
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
    await createRun('reset', 'gamma').catch(() => undefined);
    const [next] = await again.next(1);
    expect(next!.event).not.toBe('reset');
    again.close();
  });

  it('shows a tenant only its own workspaces and answers 404 for another owner_id', async () => {
    await seedWorkspace(platform.db.sql, { owner: 'tenant-x', key: 'x-only' });
    await seedWorkspace(platform.db.sql, { owner: 'tenant-y', key: 'y-only' });
    const reader = await stream('tenant-y');
    const snapshot = (await readUntil(reader, 'snapshot-complete')).find((event) => event.event === 'snapshot')!;
    expect((snapshot.data.page as { workspaces: { workspace: { owner_id: string } }[] }).workspaces.map((entry) => entry.workspace.owner_id)).toEqual(['tenant-y']);
    await createRun('tenant-x', 'x-only');
    await createRun('tenant-y', 'y-only');
    const [delta] = deltas(await readUntil(reader, 'delta'));
    expect((delta!.data.delta as { workspaces: { workspace_key: string }[] }).workspaces.map((item) => item.workspace_key)).toEqual(['y-only']);
    reader.close();
    const foreign = await platform.api('/api/console/lifecycle/stream?owner_id=tenant-x', { as: { owner: 'tenant-y' } });
    expect(foreign.status).toBe(404);
  });
});
