// `npm start` as an operator sees it, through real child processes: the URLs once ready, human-readable lines
// with LOG_FORMAT=pretty, and a port in use or an unreachable Postgres or Redis as one stderr line naming the fix,
// with the exit code the README documents.
import { createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_UNAVAILABLE } from '../../boot.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { TEST_JWT_SECRET, uniquePrefix } from '../support/platform.ts';

let db: TestDatabase;
let holder: Server;
let heldPort: number;
beforeAll(async () => {
  db = await createTestDatabase();
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  heldPort = (holder.address() as { port: number }).port;
});
afterAll(async () => {
  holder.close();
  await db.drop();
});

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: db.url,
  REDIS_URL,
  QUEUE_PREFIX: uniquePrefix(),
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  JWT_SECRET: TEST_JWT_SECRET,
  ...extra,
});

/** A free port on loopback that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(extra: Record<string, string>) {
  return execa(process.execPath, ['--import', 'tsx', 'main.ts'], { env: env(extra), reject: false, timeout: 170_000 });
}

// Each case starts a real process (tsx, migrations, workers): minutes on a loaded machine, not the default 30 s.
describe('startup errors', { timeout: 180_000 }, () => {
  it('a port in use: one line naming PORT, exit 69', async () => {
    const result = await start({ PORT: String(heldPort) });
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.stderr.trim().split('\n')).toEqual([`mcp-runtime: port ${heldPort} on 127.0.0.1 is already in use: stop the process that holds it or set PORT`]);
  });

  it('Postgres unreachable: one line naming DATABASE_URL without its password, exit 69', async () => {
    const port = await closedPort();
    const result = await start({ DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/mcp` });
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.stderr.trim().split('\n')).toEqual([`mcp-runtime: cannot reach Postgres at 127.0.0.1:${port} (ECONNREFUSED): start Postgres there or set DATABASE_URL`]);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });

  it('Redis unreachable: one line naming REDIS_URL, exit 69', async () => {
    const port = await closedPort();
    const result = await start({ REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(result.exitCode).toBe(EXIT_UNAVAILABLE);
    expect(result.stderr.trim().split('\n')).toEqual([`mcp-runtime: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED): start redis-server there or set REDIS_URL`]);
  });
});

describe('ready', { timeout: 180_000 }, () => {
  it('prints the API, docs and Bull Board URLs, human-readable with LOG_FORMAT=pretty, and they answer', async () => {
    // The platform itself, not npx: a SIGTERM to npx left the platform running after the test.
    const child = execa(process.execPath, ['--import', 'tsx', 'main.ts'], { env: env({ LOG_FORMAT: 'pretty' }), reject: false });
    const lines: string[] = [];
    const ready = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(line);
          if (line.includes('ready: API')) resolve(line);
        }
      });
      child.once('exit', () => reject(new Error(`exited before ready: ${lines.join('\n')}`)));
    });
    try {
      const [, api, docs, board] = /ready: API (\S+) · docs (\S+) · Bull Board (\S+)/.exec(ready) ?? [];
      expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(docs).toBe(`${api}/docs`);
      expect(board).toBe(`${api}/admin/queues`);
      expect((await fetch(docs!)).status).toBe(200);
      expect((await fetch(`${api}/healthz`)).status).toBe(200);
      // pino-pretty: "[time] INFO (name): message", not a JSON object.
      expect(lines.every((line) => !line.startsWith('{'))).toBe(true);
      expect(ready).toMatch(/INFO.*\(mcp-runtime\): ready: API/);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('logs JSON lines when stdout is not a terminal (LOG_FORMAT=auto)', async () => {
    // The port-in-use run logs "migrations applied" and "workers started" before its listen fails.
    const result = await start({ PORT: String(heldPort) });
    const logged = result.stdout.trim().split('\n').filter(Boolean);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(JSON.parse(line)).toHaveProperty('msg');
  });
});
