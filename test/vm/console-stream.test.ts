import Koa from 'koa';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveConsoleStream } from '../../http/vm-console-stream.ts';
import { readEvents } from './support.ts';

let dir: string;
let log: string;
let server: Server;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-console-stream-'));
  log = join(dir, 'mcp-1.log');
  await writeFile(log, '');
  const app = new Koa();
  app.silent = true; // a client hanging up mid-stream is expected here
  app.use((ctx) =>
    serveConsoleStream(ctx, { heartbeatMs: 60_000, maxBufferedBytes: 1 << 20, keepAliveMs: 10_000 }, { path: log, serverId: 1, domainName: 'mcp-1' }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Follow the log from byte 0 (a resume id pins the start, so no write can race the stream's first read). */
async function openStream() {
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { 'last-event-id': '0' } });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  // A fresh view per batch over the one connection, so events can be awaited in steps.
  const view = () =>
    ({
      body: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
      }),
    }) as unknown as Response;
  return { next: (count: number) => readEvents(view(), count), close: () => reader.cancel() };
}

const lines = (events: { data: unknown }[]) => events.map((event) => (event.data as { line: string }).line);

describe('console stream', () => {
  it('sends the lines written just before virtlogd rotated the file, then the new file', async () => {
    const stream = await openStream();
    await appendFile(log, 'one\n');
    // Rotation as virtlogd does it: the live file becomes .0 and a new live file starts.
    await appendFile(log, 'two\n');
    await rename(log, `${log}.0`);
    await writeFile(log, 'three\n');
    const events = await stream.next(3);
    expect(lines(events)).toEqual(['one', 'two', 'three']);
    expect(events.map((event) => Number(event.id))).toEqual([4, 8, 14]);
    await stream.close();
  });

  it('keeps a character whose bytes arrive in two writes whole, and counts ids in bytes', async () => {
    const stream = await openStream();
    await appendFile(log, Buffer.concat([Buffer.from('x\ncaf'), Buffer.from([0xc3])]));
    expect(lines(await stream.next(1))).toEqual(['x']);
    await appendFile(log, Buffer.from([0xa9, 0x0a]));
    const [event] = await stream.next(1);
    expect(event).toMatchObject({ id: '8', data: { line: 'café' } });
    await stream.close();
  });
});
