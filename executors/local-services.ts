// `npm start` on a machine with nothing installed: when DATABASE_URL / REDIS_URL are unset and nothing answers at
// the local default (127.0.0.1 on LOCAL_POSTGRES_PORT / LOCAL_REDIS_PORT), start an embedded Postgres / a private
// redis-server for this process, hand back the config that points at them, and stop them after everything else.
import { chmod, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import { startPrivateRedis } from '../queues/private-redis.ts';
import { startEmbeddedPostgres } from '../sql/embedded-postgres.ts';
import type { ServiceProcess } from './service-process.ts';

export interface LocalServices {
  config: Config;
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;
const set = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** EMBEDDED_SERVICES_DIR, else /var/lib/mcp-runtime for root (Postgres' own user must reach it), else the XDG state dir. */
export function servicesDir(config: Pick<Config, 'EMBEDDED_SERVICES_DIR'>, env: Env, uid = process.getuid?.()): string {
  if (config.EMBEDDED_SERVICES_DIR) return config.EMBEDDED_SERVICES_DIR;
  if (uid === 0) return '/var/lib/mcp-runtime';
  return join(set(env.XDG_STATE_HOME) ?? join(set(env.HOME) ?? homedir(), '.local', 'state'), 'mcp-runtime');
}

/** True when something accepts a TCP connection at 127.0.0.1:port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startLocalServices(config: Config, unset: { database: boolean; redis: boolean }, logger: Logger, env: Env = process.env): Promise<LocalServices> {
  const started: ServiceProcess[] = [];
  const close = async () => {
    for (const service of [...started].reverse()) await service.stop();
  };
  if (config.EMBEDDED_SERVICES === 'off') return { config, close };
  const dir = servicesDir(config, env);
  // 0711 as root: the embedded Postgres runs as its own user, which must reach its data directory through this one.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, process.getuid?.() === 0 ? 0o711 : 0o700);
  let resolved = config;
  try {
    if (unset.database && !(await answers(config.LOCAL_POSTGRES_PORT))) {
      const postgres = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), port: config.LOCAL_POSTGRES_PORT, user: config.EMBEDDED_POSTGRES_USER, logger });
      started.push(postgres);
      resolved = { ...resolved, DATABASE_URL: postgres.url };
      logger.info({ dataDir: postgres.dataDir, port: config.LOCAL_POSTGRES_PORT, postgresPid: postgres.pid }, 'embedded Postgres started');
    }
    if (unset.redis && !(await answers(config.LOCAL_REDIS_PORT))) {
      const probed = `127.0.0.1:${config.LOCAL_REDIS_PORT}`;
      const redis = await startPrivateRedis({ dir: join(dir, 'redis'), binary: config.EMBEDDED_REDIS_SERVER, probed, logger });
      started.push(redis);
      resolved = { ...resolved, REDIS_URL: redis.url };
      logger.info({ socket: redis.url, redisPid: redis.pid }, 'private redis-server started');
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { config: resolved, close };
}
