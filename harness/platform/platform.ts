// The platform the harness runs for itself and nobody else: an embedded Postgres on a private port, a private
// redis-server on a unix socket, migrations, then the API and one worker process as separate programs (the compiled
// `npm run api` / `npm run worker` entry points, started directly so that a SIGKILL reaches the worker itself).
// Every process is ours by pid, started with a parent-death signal, and stopped in reverse order by close().
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Logger } from 'pino';
import { startServiceProcess, type ServiceProcess } from '../../executors/service-process.ts';
import { startPrivateRedis, type PrivateRedis } from '../../queues/private-redis.ts';
import { createSql } from '../../sql/db.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sql/embedded-postgres.ts';
import { startFakeCloud, type FakeCloud } from './fake-cloud.ts';
import { freePort } from './free-port.ts';
import { accepts, answersOk, until } from './probes.ts';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const CLOUD_SECRET_REF = 'harness-cloud-token';

export interface HarnessPlatform {
  apiUrl: string;
  /** The database URL without its password (for the manifest). */
  databaseUrl: string;
  jwtSecret: string;
  cloudUrl: string;
  tenants: string[];
  pids(): Record<string, number>;
  workerPid(): number;
  killWorker(): Promise<{ pid: number; signal: string | null }>;
  startWorker(): Promise<number>;
  /** Stop and start again one of the services; each half answers whether a probe saw it happen. */
  restartable: Record<'api' | 'redis' | 'postgres', { stop(): Promise<boolean>; start(): Promise<boolean> }>;
  hideSecrets(): Promise<boolean>;
  restoreSecrets(): Promise<boolean>;
  versions(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

const node = process.execPath;
const entry = (file: string) => path.join(repoRoot, 'dist', file);

export async function startHarnessPlatform(root: string, tenants: string[], logger: Logger, onPid: (name: string, pid: number) => void): Promise<HarnessPlatform> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => logger.warn({ err: error }, 'stop failed'));
  };
  try {
    return await start();
  } catch (error) {
    await close();
    throw error;
  }

  async function start(): Promise<HarnessPlatform> {
    await chmod(root, 0o711); // the embedded Postgres runs as its own user as root, and must reach its directory
    const pgPort = await freePort();
    const pgDir = path.join(root, 'postgres');
    let postgres: EmbeddedPostgres = await startEmbeddedPostgres({ dir: pgDir, port: pgPort, user: 'postgres', logger });
    onPid('postgres', postgres.pid);
    stops.push(() => postgres.stop());
    const redisDir = path.join(root, 'redis');
    let redis: PrivateRedis = await startPrivateRedis({ dir: redisDir, binary: 'redis-server', probed: 'a unix socket', logger });
    onPid('redis', redis.pid);
    stops.push(() => redis.stop());

    const cloudSecret = randomBytes(18).toString('base64url');
    const cloud: FakeCloud = await startFakeCloud(cloudSecret);
    stops.push(() => cloud.close());
    const secretsFile = path.join(root, 'secrets.json');
    await writeFile(secretsFile, JSON.stringify(Object.fromEntries(tenants.map((tenant) => [tenant, { [CLOUD_SECRET_REF]: cloudSecret }]))), { mode: 0o600 });
    const workdir = path.join(root, 'remediation');
    await mkdir(workdir, { recursive: true, mode: 0o755 });
    await chmod(workdir, 0o755);

    const jwtSecret = randomBytes(24).toString('base64url');
    const apiPort = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'harness',
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      OUTBOX_SWEEP_MS: '200',
      OUTBOX_RECHECK_SECONDS: '2',
      SSE_HEARTBEAT_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '2000',
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      REMEDIATION_LEASE_MS: '1500',
      REMEDIATION_RETRY_BASE_MS: '300',
      REMEDIATION_RETRY_MAX_MS: '2000',
      REMEDIATION_WORKDIR: workdir,
      REMEDIATION_SECRETS_FILE: secretsFile,
      REMEDIATION_CLOUD_ALLOW_LOOPBACK: 'true',
      BULL_BOARD_ENABLED: 'false',
    };
    const migrated = await execa(node, [entry('sql/migrate-main.js')], { env, extendEnv: false, reject: false, cwd: repoRoot });
    if (migrated.exitCode !== 0) throw new Error(`migrations failed (exit ${migrated.exitCode}): ${migrated.stderr.slice(-500)}`);

    const program = async (name: string, file: string, extra: Record<string, string>, ready: RegExp): Promise<ServiceProcess> => {
      const started = await startServiceProcess({ name, command: node, args: [entry(file)], env: { ...env, ...extra }, ready: { stream: 'stdout', line: ready }, stopSignal: 'SIGTERM', logger });
      onPid(name, started.pid);
      return started;
    };
    const startApi = () => program('api', 'http/main.js', {}, /ready: API/);
    let api = await startApi();
    stops.push(() => api.stop());
    let worker: ServiceProcess | undefined;
    let incarnation = 0;
    const startWorker = async () => {
      worker = await program(`worker-${++incarnation}`, 'workers/main.js', { WORKER_METRICS_PORT: String(await freePort()) }, /worker metrics listening/);
      return worker.pid;
    };
    await startWorker();
    stops.push(() => worker?.stop() ?? Promise.resolve());

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const readyz = () => answersOk(`${apiUrl}/readyz`);
    const socket = { path: redis.url };
    const pg = { port: pgPort };
    const pids = () => ({ postgres: postgres.pid, redis: redis.pid, api: api.pid, worker: worker?.pid ?? 0 });
    const sanitized = new URL(postgres.url);
    sanitized.password = '';

    return {
      apiUrl,
      databaseUrl: sanitized.toString(),
      jwtSecret,
      cloudUrl: cloud.url,
      tenants,
      pids,
      workerPid: () => worker?.pid ?? 0,
      async killWorker() {
        const victim = worker!;
        process.kill(victim.pid, 'SIGKILL');
        await victim.stop();
        const gone = await until(() => Promise.resolve(processAlive(victim.pid)), false, 5_000);
        return { pid: victim.pid, signal: gone ? 'SIGKILL' : null };
      },
      startWorker,
      restartable: {
        api: {
          async stop() {
            await api.stop();
            return until(readyz, false, 5_000);
          },
          async start() {
            api = await startApi();
            return until(readyz, true);
          },
        },
        redis: {
          async stop() {
            await redis.stop();
            return until(() => accepts(socket), false, 5_000);
          },
          async start() {
            redis = await startPrivateRedis({ dir: redisDir, binary: 'redis-server', probed: 'a unix socket', logger });
            onPid('redis', redis.pid);
            return until(() => accepts(socket), true);
          },
        },
        postgres: {
          async stop() {
            await postgres.stop();
            return until(() => accepts(pg), false, 5_000);
          },
          async start() {
            postgres = await startEmbeddedPostgres({ dir: pgDir, port: pgPort, user: 'postgres', logger });
            onPid('postgres', postgres.pid);
            return (await until(() => accepts(pg), true)) && until(readyz, true);
          },
        },
      },
      async hideSecrets() {
        await rename(secretsFile, `${secretsFile}.away`);
        return !(await exists(secretsFile));
      },
      async restoreSecrets() {
        await rename(`${secretsFile}.away`, secretsFile);
        return exists(secretsFile);
      },
      async versions() {
        const [redisVersion, mcpctl] = await Promise.all([
          execa('redis-server', ['--version'], { reject: false }),
          execa(node, [path.join(repoRoot, 'bin', 'mcpctl.js'), '--version'], { reject: false }),
        ]);
        const sql = createSql(postgres.url, { max: 1, applicationName: 'mcp-harness' });
        const [row] = await sql<{ version: string }[]>`SELECT current_setting('server_version') AS version`.finally(() => sql.end({ timeout: 1 }));
        return { node: process.version, mcpctl: mcpctl.stdout.trim(), redis: redisVersion.stdout.trim(), postgres: row?.version ?? 'unknown' };
      },
      close,
    };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);
