// A redis-server of the test's own, without persistence, on a free port: killed by pid and started again on the
// same port, it comes back empty — what a cache-style deployment's restart does to queued jobs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../harness/platform/free-port.ts';

export interface PrivateRedis {
  url: string;
  /** SIGKILL the server (by pid) and start a fresh, empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server on 127.0.0.1:`port` keeping nothing on disk but in `dir`, answered once it accepts connections. */
export function launchRedisServer(port: number, dir: string, extra: string[] = []): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
  });
}

export async function killRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGKILL');
  await exited;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-redis-'));
  let child = await launchRedisServer(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await killRedisServer(child);
      child = await launchRedisServer(port, dir);
    },
    async stop() {
      await killRedisServer(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
