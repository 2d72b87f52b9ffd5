import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../platform.ts';
import { appendStreamEventsLocked } from '../../sql/stream-events.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSse, type SseReader } from './sse-client.ts';

let platform: TestPlatform;
let second: Awaited<ReturnType<typeof startApi>>;
const readers: SseReader[] = [];
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['trust-transition', 'sse-fanout'] });
  second = await startApi(platform.clients); // a second API process on the same database and queue prefix
});
afterAll(async () => {
  for (const reader of readers) reader.close();
  await second.close();
  await platform.close();
});

let seq = 0;
async function newInstance(owner = 'acme') {
  seq += 1;
  const server = await (await platform.api('/api/servers', { method: 'POST', json: { name: `st-${seq}`, image: 'img:1' }, as: { owner } })).json();
  const { instance } = await (await platform.api(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: `sd-${seq}` }, as: { owner } })).json();
  return { serverId: server.id as number, vm: instance.id as number };
}
const move = (vm: number, version: number, lifecycle_state: string, owner = 'acme') =>
  platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version, lifecycle_state }, as: { owner } });
async function watch(base: string, query = '', owner = 'acme', headers: Record<string, string> = {}) {
  const reader = await openSse(`${base}/api/trust/registry/stream${query}`, await platform.token({ owner }), headers);
  readers.push(reader);
  return reader;
}

describe('trust registry stream', () => {
  it('delivers transitions in order, and a reconnect with Last-Event-ID misses and repeats nothing', async () => {
    const { vm } = await newInstance('streamer');
    const stream = await watch(platform.url, '', 'streamer');
    await platform.api(`/api/trust/registry/${vm}/transition`, { method: 'POST', json: { version: 1, lifecycle_state: 'quarantined' }, as: { owner: 'streamer' } });
    await move(vm, 2, 'remediating', 'streamer');
    const firstTwo = await stream.next(2);
    expect(firstTwo.map((e) => [e.event, e.data.lifecycle_state, e.data.version])).toEqual([['trust.transition', 'quarantined', 2], ['trust.transition', 'remediating', 3]]);
    stream.close();
    await move(vm, 3, 'quarantined', 'streamer');
    await move(vm, 4, 'retired', 'streamer');
    const resumed = await watch(platform.url, '', 'streamer', { 'last-event-id': String(firstTwo[1]!.id) });
    const rest = await resumed.next(2);
    expect(rest.map((e) => e.data.version)).toEqual([4, 5]);
    expect(rest[0]!.id).toBeGreaterThan(firstTwo[1]!.id);
    expect(rest[1]!.id).toBeGreaterThan(rest[0]!.id);
  });

  it('delivers on a second API process what was written through the first', async () => {
    const { vm } = await newInstance('twin');
    const stream = await watch(`http://127.0.0.1:${second.port}`, '', 'twin');
    expect(stream.status).toBe(200);
    await move(vm, 1, 'quarantined', 'twin');
    const [event] = await stream.next(1);
    expect(event!.data).toMatchObject({ vm_instance_id: vm, lifecycle_state: 'quarantined', previous_lifecycle_state: 'pending' });
  });

  it('never shows another owner its events', async () => {
    const mine = await newInstance('owner-a');
    const theirs = await newInstance('owner-b');
    const streamB = await watch(platform.url, '', 'owner-b');
    const streamA = await watch(platform.url, '', 'owner-a');
    await move(mine.vm, 1, 'quarantined', 'owner-a');
    await streamA.next(1);
    await move(theirs.vm, 1, 'quarantined', 'owner-b');
    const [first] = await streamB.next(1);
    expect(first!.data.vm_instance_id).toBe(theirs.vm);
    expect(streamB.events.every((e) => e.data.vm_instance_id === theirs.vm)).toBe(true);
  });

  it('applies the list filters to the stream', async () => {
    const a = await newInstance('filter');
    const b = await newInstance('filter');
    const quarantinedOnly = await watch(platform.url, '?lifecycle_state=remediating', 'filter');
    const serverB = await watch(platform.url, `?server_id=${b.serverId}`, 'filter');
    await move(a.vm, 1, 'quarantined', 'filter');
    await move(b.vm, 1, 'quarantined', 'filter');
    await move(b.vm, 2, 'remediating', 'filter');
    const [only] = await quarantinedOnly.next(1);
    expect(only!.data).toMatchObject({ vm_instance_id: b.vm, lifecycle_state: 'remediating' });
    const forB = await serverB.next(2);
    expect(forB.map((e) => e.data.vm_instance_id)).toEqual([b.vm, b.vm]);
    const list = await (await platform.api('/api/trust/registry?lifecycle_state=remediating', { as: { owner: 'filter' } })).json();
    expect(list.items.map((i: { vm_instance_id: number }) => i.vm_instance_id)).toEqual([only!.data.vm_instance_id]);
    expect(quarantinedOnly.events).toHaveLength(1);
  });

  it('replays a backlog larger than the slow-client limit to a client that keeps reading', async () => {
    // 2,000 events of ~1 KiB: twice SSE_MAX_BUFFERED_BYTES (1 MiB) if written in one burst.
    const padding = 'x'.repeat(1000);
    const events = Array.from({ length: 2000 }, (_, i) => ({ topic: 'trust-registry' as const, owner_id: 'backlog', subject_id: '1', event: 'trust.transition', payload: { i, padding }, dedupe_key: `backlog-${i}` }));
    await platform.db.sql.begin((tx) => appendStreamEventsLocked(tx, events));
    const stream = await watch(platform.url, '', 'backlog', { 'last-event-id': '0' });
    const received = await stream.next(2000, 20_000);
    expect(received.map((e) => e.data.i)).toEqual(events.map((e) => e.payload.i));
  });

  it('refuses an unauthenticated stream and a bad filter', async () => {
    expect((await fetch(`${platform.url}/api/trust/registry/stream`)).status).toBe(401);
    expect((await platform.api('/api/trust/registry/stream?stale=maybe')).status).toBe(400);
  });
});
