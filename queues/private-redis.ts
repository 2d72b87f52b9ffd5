// The private redis-server `npm start` runs when REDIS_URL is unset and nothing answers at the local default: the
// machine's own `redis-server` binary (none ships through npm) on a unix socket in a 0700 directory, no TCP port.
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { findExecutable, ServiceStartError, startServiceProcess, type ServiceProcess } from '../executors/service-process.ts';

export interface PrivateRedisOptions {
  /** Holds the socket and the append-only file. */
  dir: string;
  /** EMBEDDED_REDIS_SERVER: a name looked up on PATH, or a path. */
  binary: string;
  /** What was probed, for the message when no redis-server is installed. */
  probed: string;
  logger: Logger;
}

export interface PrivateRedis extends ServiceProcess {
  /** A socket path: ioredis connects to it as given. */
  url: string;
}

export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  const server = findExecutable(options.binary);
  if (!server) {
    throw new ServiceStartError(`nothing answers at ${options.probed} and ${options.binary} is not installed: install Redis (Debian: apt-get install redis-server), or set REDIS_URL`);
  }
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700);
  const socket = join(options.dir, 'redis.sock');
  const service = await startServiceProcess({
    name: 'private redis-server',
    command: server,
    args: ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', options.dir, '--save', '', '--appendonly', 'yes', '--daemonize', 'no', '--logfile', ''],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    // Redis 7.0 says "The server is now ready to accept connections", 7.2 "Ready to accept connections".
    ready: { stream: 'stdout', line: /ready to accept connections/i },
    stopSignal: 'SIGTERM',
    logger: options.logger,
  });
  return { ...service, url: socket };
}
