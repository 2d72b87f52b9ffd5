import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSse, type SseReader } from './sse-client.ts';

const LIMIT = 64 * 1024;
let platform: TestPlatform;
beforeAll(async () => {
  // The hub sweeps every SSE_HEARTBEAT_MS: appended rows reach clients without a doorbell.
  platform = await startTestPlatform({ workers: false, env: { SSE_MAX_BUFFERED_BYTES: String(LIMIT), SSE_HEARTBEAT_MS: '100' } });
});
afterAll(() => platform.close());

/** Sends the request, waits for the response head (so the client is registered), then never reads again. */
async function stalledClient(path: string, token: string): Promise<Socket> {
  const { port } = new URL(platform.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
  const head = await new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
  expect(head).toMatch(/^HTTP\/1\.1 200/);
  socket.pause();
  return socket;
}

async function append(owner: string, batch: number, count: number, bytes: number): Promise<void> {
  await platform.db.sql`
    INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key)
    SELECT 'trust-registry', ${owner}, '1', 'trust.transition', jsonb_build_object('batch', ${batch}::int, 'i', i, 'pad', repeat('x', ${bytes}::int)),
      ${`bp-${owner}-${batch}-`} || i
    FROM generate_series(1, ${count}::int) AS i`;
}

const droppedTotal = async () => {
  const text = await (await platform.api('/metrics')).text();
  return Number(/^mcp_stream_clients_dropped_total (\d+)/m.exec(text)?.[1] ?? 0);
};

describe('stream backpressure', () => {
  it('drops a client that never reads once it is SSE_MAX_BUFFERED_BYTES behind, while a reading client keeps up', async () => {
    const token = await platform.token({ owner: 'slow' });
    const stalled = await stalledClient('/api/trust/registry/stream', token);
    const reader: SseReader = await openSse(`${platform.url}/api/trust/registry/stream`, token);
    const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    try {
      // 100 events of ~8 KiB per batch; the kernel's socket buffers fill first, then the hub's count of bytes owed.
      let batch = 0;
      for (; batch < 200 && (await droppedTotal()) === 0; batch++) {
        await append('slow', batch, 100, 8000);
        const events = await reader.next(100);
        expect(events.map((event) => [event.data.batch, event.data.i])).toEqual(Array.from({ length: 100 }, (_, i) => [batch, i + 1]));
      }
      expect(await droppedTotal()).toBe(1);
      // The reading client is still served, and the stalled one finds its connection closed once it reads.
      await append('slow', batch, 1, 10);
      expect((await reader.next(1))[0]!.data).toMatchObject({ batch, i: 1 });
      stalled.resume();
      await closed;
    } finally {
      reader.close();
      stalled.destroy();
    }
  });

  it.each([
    ['last-event-id', 'abc', 'header.last-event-id'],
    ['last-event-id', '-1', 'header.last-event-id'],
    ['last-event-id', '1.5', 'header.last-event-id'],
    ['last-event-id', '99999999999999999', 'header.last-event-id'],
    ['cursor', '1e3', 'query.cursor'],
    ['cursor', '-4', 'query.cursor'],
  ])('answers 400 before the stream opens for %s = %s', async (where, value, path) => {
    const query = where === 'cursor' ? `?cursor=${value}` : '';
    const headers: Record<string, string> = where === 'cursor' ? {} : { 'last-event-id': value };
    const response = await platform.api(`/api/trust/registry/stream${query}`, { headers });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await response.json();
    expect(problem).toMatchObject({ code: 'validation-failed', errors: [{ path, code: 'invalid-event-id' }] });
  });
});
