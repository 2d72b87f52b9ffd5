import { execa, type ResultPromise } from 'execa';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUT_MARK } from '../../executors/remediation/output-lines.ts';
import { CONSOLE_RSS_BOUND_BYTES } from '../../executors/vm/console-log.ts';
import { readEvents } from './support.ts';

// A guest that prints 700 MB without a newline, followed in a real child process that serves the console tail and
// stream as the API does. The child reports its peak RSS (getrusage maxrss): an honest high-water mark, not a sample.
const FLOOD = 700 * 1024 * 1024;
let dir: string;
let log: string;
let child: ResultPromise;
let base: string;

async function writeFlood(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('boot\n');
  const block = Buffer.alloc(1024 * 1024, 0x61);
  for (let written = 0; written < FLOOD; written += block.length) if (!out.write(block)) await once(out, 'drain');
  out.end('\nlogin:\n');
  await once(out, 'close');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-console-flood-'));
  log = join(dir, 'mcp-1.log');
  await writeFlood(log);
  child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    import Koa from 'koa';
    import { tailConsole } from './executors/vm/console-log.ts';
    import { serveConsoleStream } from './http/vm-console-stream.ts';
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.path === '/tail') ctx.body = await tailConsole(${JSON.stringify(log)}, 3);
      else if (ctx.path === '/rss') ctx.body = { max_rss_bytes: process.resourceUsage().maxRSS * 1024 };
      else return serveConsoleStream(ctx, { heartbeatMs: 60000, maxBufferedBytes: 1 << 20, keepAliveMs: 10000 }, { path: ${JSON.stringify(log)}, serverId: 1, domainName: 'mcp-1' });
    });
    const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));`]);
  base = await new Promise<string>((resolve) => child.stdout?.once('data', (chunk: Buffer) => resolve(`http://127.0.0.1:${chunk.toString().trim()}`)));
}, 120_000);
afterAll(async () => {
  child.kill('SIGTERM');
  await child.catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const cutLine = `${'a'.repeat(8192 - CUT_MARK.length)}${CUT_MARK}`;

describe('a console log of 700 MB without a newline', () => {
  it('tails and streams it in bounded memory, the long line cut at 8 KiB and marked', async () => {
    const tail = (await (await fetch(`${base}/tail`)).json()) as { lines: string[]; cursor: number };
    expect(tail).toEqual({ lines: ['boot', cutLine, 'login:'], cursor: FLOOD + 13 });
    const stream = await fetch(`${base}/stream`, { headers: { 'last-event-id': '0' } });
    const events = await readEvents(stream, 3);
    expect(events.map((event) => (event.data as { line: string }).line)).toEqual(['boot', cutLine, 'login:']);
    expect(events.map((event) => Number(event.id))).toEqual([5, FLOOD + 6, FLOOD + 13]);
    const { max_rss_bytes } = (await (await fetch(`${base}/rss`)).json()) as { max_rss_bytes: number };
    expect(max_rss_bytes).toBeLessThan(CONSOLE_RSS_BOUND_BYTES);
  }, 120_000);
});
