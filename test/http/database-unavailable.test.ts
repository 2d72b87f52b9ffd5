// While Postgres is down the API answers 503 dependency-unavailable with Retry-After, naming the database, instead
// of 500 internal. The app runs on a PRIVATE embedded Postgres that the test stops; the shared one is untouched.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/platform/free-port.ts';
import { createApp } from '../../http/app.ts';
import { createStreamHub } from '../../http/stream-hub.ts';
import { createRedis } from '../../queues/redis.ts';
import { createSql } from '../../sql/db.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sql/embedded-postgres.ts';
import { REDIS_URL } from '../support/env.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let dir: string;
let postgres: EmbeddedPostgres;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  dir = await mkdtemp(path.join(tmpdir(), 'mcp-pg-down-'));
  await chmod(dir, 0o755); // as root, Postgres runs as its own user and must reach the cluster directory
  postgres = await startEmbeddedPostgres({ dir, port: await freePort(), user: 'postgres', logger: pino({ level: 'silent' }) });
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
  await platform?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the API while Postgres is down', () => {
  it('answers GET /api/trust/remediation/runs/:id 503 dependency-unavailable with Retry-After', async () => {
    const url = new URL(postgres.url);
    url.pathname = '/postgres'; // the cluster's own database: this test needs a connection, not the schema
    const sql = createSql(url.toString(), { max: 2 });
    const subscriber = createRedis(REDIS_URL, 'subscriber');
    const hub = await createStreamHub({ sql: platform.db.sql, subscriber, prefix: 'unused', logger: pino({ level: 'silent' }), sweepMs: 60_000, maxBufferedBytes: 1 << 20 });
    const server = createApp({ ...platform.clients, sql, hub }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      expect(await sql`SELECT 1 AS up`).toEqual([{ up: 1 }]); // the private database answered before it went down
      await postgres.stop();
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/api/trust/remediation/runs/1`, { headers: { authorization: `Bearer ${await platform.token()}` } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 503, code: 'dependency-unavailable', dependency: 'postgres', detail: 'the database is unavailable; retry later' });
    } finally {
      server.close();
      await hub.close();
      subscriber.disconnect();
      await sql.end({ timeout: 1 });
    }
  });
});
