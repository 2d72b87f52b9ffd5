import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFiles, tailConsole } from '../../executors/vm/console-log.ts';

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
});
