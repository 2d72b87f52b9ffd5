import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFiles, tailConsole } from '../../executors/vm/console-log.ts';
import { CUT_MARK } from '../../executors/remediation/output-lines.ts';

let dir: string;
let log: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-console-'));
  log = join(dir, 'mcp-1.log');
  // virtlogd rotation: .1 is older than .0, which is older than the live file.
  await writeFile(`${log}.1`, 'line 1\r\nline 2\r\n');
  await writeFile(`${log}.0`, 'line 3\nline 4\n');
  await writeFile(log, 'line 5\nline 6 (partial)');
  await writeFile(join(dir, 'mcp-10.log.0'), 'another domain\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('console log tail', () => {
  it('orders the live file before its backups, newest first, ignoring other domains', async () => {
    expect(await consoleFiles(log)).toEqual([log, `${log}.0`, `${log}.1`]);
  });

  it('reads the last lines across rotated files in order', async () => {
    expect(await tailConsole(log, 5)).toEqual({ lines: ['line 2', 'line 3', 'line 4', 'line 5', 'line 6 (partial)'], cursor: 23 });
  });

  it('reads only the live file when it holds enough lines', async () => {
    expect((await tailConsole(log, 2)).lines).toEqual(['line 5', 'line 6 (partial)']);
  });

  it('answers no lines for a log that does not exist yet', async () => {
    expect(await tailConsole(join(dir, 'missing.log'), 10)).toEqual({ lines: [], cursor: 0 });
  });

  it.each(['', '\n', 'a\n', 'a\n\n', '\n\nb', 'a\r\nb\r\n'])('splits %j as the lines of a text file', async (text) => {
    const file = join(dir, 'shapes.log');
    await writeFile(file, text);
    const expected = text.split('\n').map((line) => line.replace(/\r/g, ''));
    if (expected.at(-1) === '') expected.pop();
    expect((await tailConsole(file, 10)).lines).toEqual(expected);
  });

  it('reads lines that cross its 64 KiB reads, and cuts a long line at 8 KiB with the mark', async () => {
    const file = join(dir, 'long.log');
    const short = Array.from({ length: 3000 }, (_, i) => `${i} ${'é'.repeat(i % 97)}`);
    await writeFile(file, `${short.join('\n')}\n${'x'.repeat(100_000)}\nlast`);
    const { lines } = await tailConsole(file, 2002);
    expect(lines.slice(0, 2000)).toEqual(short.slice(1000));
    expect(lines[2000]).toBe(`${'x'.repeat(8192 - CUT_MARK.length)}${CUT_MARK}`);
    expect(lines[2001]).toBe('last');
  });

  it('never splits a character when it cuts', async () => {
    const file = join(dir, 'wide.log');
    await writeFile(file, `${'é'.repeat(10_000)}\n`);
    const [line] = (await tailConsole(file, 1)).lines;
    expect(line).toMatch(/^é+ \[line cut at 8 KiB\]$/);
    expect(Buffer.byteLength(line!)).toBeLessThanOrEqual(8192);
  });
});

