// The console stream filtered by lifecycle_state: the snapshot holds the workspaces in that state; a workspace that
// moves into it arrives whole (a delta from version 0), one that moves out is removed, changes elsewhere are not
// sent, and a resume at a cursor continues exactly there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import type { SseEvent } from '../trust/sse-client.ts';
import { apiAbandon, apiPlaybook, apiRunIn, apiWorkspace } from './api-seed.ts';
import { openConsoleStream, readUntil, snapshotOf, type Reader } from './stream-support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['console-project'] });
});
afterAll(async () => platform?.close());

type Envelope = { workspaces: { workspace_id: number; version_from: number; workspace_changes: { field: string; current: unknown }[] }[]; removed_workspace_ids: number[] };

async function nextDelta(reader: Reader): Promise<SseEvent & { delta: Envelope }> {
  const event = (await readUntil(reader, 'delta')).at(-1)!;
  return { ...event, delta: event.data.delta as Envelope };
}

describe('console stream ?lifecycle_state=', () => {
  it('sends a workspace entering the state whole, removes one leaving it, and sends nothing of the others', async () => {
    const playbookId = await apiPlaybook(platform, 'states');
    const first = await apiWorkspace(platform, { owner: 'states', key: 'first', playbookId });
    const second = await apiWorkspace(platform, { owner: 'states', key: 'second', playbookId });
    const abandoned = await openConsoleStream(platform, 'states', '?lifecycle_state=abandoned');
    const drafts = await openConsoleStream(platform, 'states', '?lifecycle_state=draft');
    expect(snapshotOf(await readUntil(abandoned, 'snapshot-complete')).workspaces).toEqual([]);
    const draftSnapshot = snapshotOf(await readUntil(drafts, 'snapshot-complete'));
    expect(draftSnapshot.workspaces.map((entry) => entry.workspace.id).sort()).toEqual([first.id, second.id].sort());

    await apiAbandon(platform, 'states', first.id);
    const entered = await nextDelta(abandoned);
    expect(entered.delta.removed_workspace_ids).toEqual([]);
    expect(entered.delta.workspaces[0]).toMatchObject({ workspace_id: first.id, version_from: 0 });
    expect(entered.delta.workspaces[0]!.workspace_changes).toEqual(expect.arrayContaining([{ field: 'workspace', previous: null, current: expect.objectContaining({ id: first.id, lifecycle_state: 'abandoned' }) }]));
    let left = await nextDelta(drafts);
    while (left.delta.removed_workspace_ids.length === 0) left = await nextDelta(drafts); // gate deltas made before it
    expect(left.delta).toEqual({ workspaces: [], removed_workspace_ids: [first.id] });

    // A run in a draft workspace reaches the drafts stream only; the abandoned stream's next delta is the next entry.
    const runId = await apiRunIn(platform, 'states', 'second');
    let run = await nextDelta(drafts);
    while (!JSON.stringify(run.delta).includes(`"id":${runId}`)) run = await nextDelta(drafts);
    await apiAbandon(platform, 'states', second.id);
    const next = await nextDelta(abandoned);
    expect(next.delta.workspaces.map((item) => [item.workspace_id, item.version_from])).toEqual([[second.id, 0]]);
    abandoned.close();
    drafts.close();

    // Resuming after the first entry: exactly the second one follows, no snapshot.
    const resumed = await openConsoleStream(platform, 'states', `?lifecycle_state=abandoned&cursor=${entered.id}`);
    const again = await nextDelta(resumed);
    expect(again.id).toBe(next.id);
    expect(resumed.events.some((event) => event.event === 'snapshot')).toBe(false);
    resumed.close();
  });

  it('answers 400 for a state that does not exist', async () => {
    const response = await platform.api('/api/console/lifecycle/stream?lifecycle_state=lost', { as: { owner: 'states', roles: ['viewer'] } });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([expect.objectContaining({ path: 'query.lifecycle_state' })]);
  });
});
