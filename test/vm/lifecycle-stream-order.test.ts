// The VM lifecycle topic under concurrent launches and stops with transient failures on the append: a tailing
// reader sees ids increasing, misses none, and sees each server launched before it is stopped.
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamEvents, type StreamEvent } from '../../sql/stream-events.ts';
import { failStreamAppends } from '../support/faults.ts';
import type { TestPlatform } from '../support/platform.ts';
import { startLibvirtLaunchHarness } from './support.ts';

let platform: TestPlatform;
let run: Awaited<ReturnType<typeof startLibvirtLaunchHarness>>['run'];
let close: () => Promise<void>;
beforeAll(async () => {
  ({ platform, run, close } = await startLibvirtLaunchHarness());
});
afterAll(() => close());

const job = { id: 'vm-launch-order', attemptsMade: 0, opts: { attempts: 3 } } as Job;

describe('lifecycle stream order', () => {
  it('keeps launched before stopped per server, ids increasing, under 6 concurrent servers and failed appends', async () => {
    const restore = await failStreamAppends(platform.db.sql, { topic: 'lifecycle', failing: [1, 4, 6, 9] });
    const seen: StreamEvent[] = [];
    let writing = true;
    const tail = (async () => {
      for (;;) {
        const finished = !writing;
        const rows = await readStreamEvents(platform.db.sql, { topic: 'lifecycle', ownerId: 'acme', afterId: seen.at(-1)?.id ?? 0, limit: 100 });
        seen.push(...rows);
        if (finished && rows.length === 0) return;
      }
    })();
    try {
      const ids: number[] = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => (await (await platform.api('/api/servers', { method: 'POST', json: { name: `order-${i}`, image: 'img:1' } })).json()).id),
      );
      await Promise.all(
        ids.map(async (id) => {
          const data = { server_id: id, owner_id: 'acme', requested_by: 'alice', request_id: `order-${id}` };
          expect(await run({ ...data, action: 'launch' }, job, undefined)).toMatchObject({ outcome: 'launched' });
          expect(await run({ ...data, action: 'stop' }, job, undefined)).toMatchObject({ outcome: 'stopped' });
        }),
      );
    } finally {
      writing = false;
      await tail;
      await restore();
    }
    expect(seen.map((row) => row.id)).toEqual([...seen.map((row) => row.id)].sort((a, b) => a - b));
    const all = await readStreamEvents(platform.db.sql, { topic: 'lifecycle', ownerId: 'acme', afterId: 0, limit: 100 });
    expect(seen.map((row) => row.id)).toEqual(all.map((row) => row.id));
    const subjects = [...new Set(seen.map((row) => row.subject_id))];
    expect(subjects).toHaveLength(6);
    for (const subject of subjects) expect(seen.filter((row) => row.subject_id === subject).map((row) => row.event)).toEqual(['vm.launched', 'vm.stopped']);
  });
});
