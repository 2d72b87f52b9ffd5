import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { TEST_JWT_SECRET, uniquePrefix } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

let db: TestDatabase;
beforeAll(async () => {
  // npm start builds dist/ first when it is stale: do that here, outside the test's own time.
  await execa(process.execPath, ['bin/ensure-build.js']);
  db = await createTestDatabase();
}, 180_000);
afterAll(() => db.drop());

/** `npm start` with its log lines collected; resolves once the API listens (pid is the platform's own). */
async function startPlatform() {
  const child = execa('npm', ['start', '--silent'], {
    env: { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: uniquePrefix(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', JWT_SECRET: TEST_JWT_SECRET },
    reject: false,
  });
  const lines: string[] = [];
  const listening = await new Promise<{ port: number; pid: number }>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        if (line.includes('"api listening"')) resolve(JSON.parse(line) as { port: number; pid: number });
      }
    });
  });
  // The log line comes a moment before the platform installs its SIGTERM/SIGINT handlers: wait until the kernel
  // shows both caught (SigCgt bits 14 and 1), so the test's signal meets the handler, not the default action.
  await waitFor(async () => BigInt(`0x${/SigCgt:\s*([0-9a-f]+)/.exec(await readFile(`/proc/${listening.pid}/status`, 'utf8'))?.[1] ?? '0'}`), (mask) => (mask & 0x4002n) === 0x4002n, {
    what: 'signal handlers installed',
  });
  return { child, lines, listening };
}

describe('npm start', () => {
  // Containers and process managers signal the process they started, which is npm, not the platform beneath it.
  it('passes SIGTERM on to the platform, which shuts down and stops listening', async () => {
    const { child, lines, listening } = await startPlatform();
    // Wait for npm itself to exit: an orphaned platform would keep the stdout pipe, and so `await child`, open.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const stillListening = await fetch(`http://127.0.0.1:${listening.port}/healthz`).then(
      () => true,
      () => false,
    );
    if (stillListening) process.kill(listening.pid, 'SIGKILL'); // the orphan a broken signal path leaves behind
    await child;
    expect(stillListening).toBe(false);
    expect(lines.some((line) => line.includes('"workers stopped"'))).toBe(true);
  });

  // A terminal's Ctrl-C reaches every process of the foreground group, and npm may relay its own copy: one
  // interrupt can reach the platform twice within a moment.
  it('shuts down gracefully on a Ctrl-C that reaches the platform twice at once', async () => {
    const { child, lines, listening } = await startPlatform();
    process.kill(listening.pid, 'SIGINT');
    process.kill(listening.pid, 'SIGINT');
    const result = await child;
    expect(lines.some((line) => line.includes('"workers stopped"'))).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  // A process manager may stop the platform while it is still starting: the signal waits for the step in hand, then
  // everything started by then shuts down as it would later, instead of the default action killing the process.
  it('shuts down gracefully on a SIGTERM that arrives during startup', async () => {
    const freshDb = await createTestDatabase();
    try {
      const child = execa('npm', ['start', '--silent'], {
        env: { DATABASE_URL: freshDb.url, REDIS_URL, QUEUE_PREFIX: uniquePrefix(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', JWT_SECRET: TEST_JWT_SECRET },
        reject: false,
      });
      const lines: string[] = [];
      // The first line comes from the workers starting (the outbox relay), before the API starts.
      const first = await new Promise<{ pid: number }>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n').filter(Boolean)) {
            if (lines.push(line) === 1) resolve(JSON.parse(line) as { pid: number });
          }
        });
      });
      expect(lines[0]).not.toContain('"api listening"');
      process.kill(first.pid, 'SIGTERM');
      const result = await child;
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain('shutting down');
      expect(messages).toContain('workers stopped');
      expect(result.exitCode).toBe(0);
      const api = lines.map((line) => JSON.parse(line) as { msg: string; port?: number }).find((line) => line.msg === 'api listening');
      if (api?.port !== undefined) {
        const stillListening = await fetch(`http://127.0.0.1:${api.port}/healthz`).then(() => true, () => false);
        expect(stillListening).toBe(false);
      }
    } finally {
      await freshDb.drop();
    }
  });
});
