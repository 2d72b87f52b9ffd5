import { execa, type ResultPromise } from 'execa';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../http/tokens.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { databaseUrl, REDIS_URL } from '../support/env.ts';
import { TEST_JWT_SECRET, uniquePrefix } from '../support/platform.ts';

// The combined process (API + every worker) under write load while Postgres terminates its connections — what a
// failover, an idle-killer or an operator's pg_terminate_backend does. postgres.js 3.4.9 used to crash the whole
// process from a write on the closed socket (patches/postgres+3.4.9.patch).
let db: TestDatabase;
let killer: postgres.Sql;
let child: ResultPromise;
let exited: { code: number | null; signal: string | null } | undefined;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  killer = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
  child = execa(process.execPath, ['--import', 'tsx', 'main.ts'], {
    env: { NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: uniquePrefix(), JWT_SECRET: TEST_JWT_SECRET, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', OUTBOX_SWEEP_MS: '200' },
    reject: false,
    stderr: 'pipe',
  });
  child.once('exit', (code, signal) => (exited = { code, signal }));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const line = chunk.toString().split('\n').find((entry) => entry.includes('"api listening"'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', () => reject(new Error('the platform exited before listening')));
  });
  base = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  child.kill('SIGTERM');
  await child;
  await killer.end();
  await db.drop();
});

const terminate = () => killer<{ pid: number }[]>`
  SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE datname = ${db.name} AND application_name = 'mcp-runtime'`;

describe('a terminated Postgres connection', () => {
  it('does not take the process down, and loses no acknowledged write', async () => {
    const token = await signToken(TEST_JWT_SECRET, { sub: 'alice', owner: 'acme', roles: ['operator'] });
    const call = (path: string, json: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const server = (await (await call('/api/servers', { name: 'chaos', image: 'ghcr.io/acme/mcp:1' })).json()) as { id: number };

    let stop = false;
    let sequence = 0;
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    const lane = async () => {
      while (!stop) {
        const name = `chaos-${sequence++}`;
        // A refused or reset connection (status 0) is what a crashed process leaves: the lane stops there.
        const response = await call(`/api/servers/${server.id}/vm-instances`, { domain_name: name }).catch(() => undefined);
        statuses.push(response?.status ?? 0);
        if (response === undefined) return;
        if (response.status === 201) acknowledged.push(name);
      }
    };
    const lanes = Array.from({ length: 4 }, lane);
    let terminated = 0;
    for (let round = 0; round < 25 && exited === undefined; round++) {
      terminated += (await terminate()).length;
      await sleep(40); // pacing between rounds so writes are in flight on fresh connections, not a synchronisation
    }
    stop = true;
    await Promise.all(lanes);

    expect(exited, String((await Promise.race([child, sleep(2_000)]))?.stderr ?? '')).toBeUndefined();
    expect(terminated).toBeGreaterThan(25);
    expect(statuses.every((status) => status === 201 || status >= 500)).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Every 201 is a committed instance with its registry entry: nothing acknowledged was lost.
    const stored = await db.sql<{ domain_name: string }[]>`
      SELECT i.domain_name FROM runtime_vm_instances i JOIN runtime_vm_trust_registry r ON r.vm_instance_id = i.id WHERE i.domain_name = ANY(${acknowledged})`;
    expect(stored.map((row) => row.domain_name).sort()).toEqual([...acknowledged].sort());
    expect(acknowledged.length).toBeGreaterThan(0);
  }, 60_000);
});
