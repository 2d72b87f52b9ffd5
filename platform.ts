// Builds the long-lived clients a process needs (Postgres, Redis, queues) and starts the API and/or workers on them.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './core/config.ts';
import { createApp } from './http/app.ts';
import { createFirstProjection, type FirstProjection } from './http/console/first-projection.ts';
import { BULL_BOARD_PATH } from './http/auth.ts';
import { DOCS_PATH } from './http/docs-page.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { createStreamHub } from './http/stream-hub.ts';
import { createStreamMetrics } from './http/stream-metrics.ts';
import { createQueues, type Queues } from './queues/queues.ts';
import { createRedis, redisTarget, type RedisClient } from './queues/redis.ts';
import { databaseEpoch } from './sql/database-epoch.ts';
import { createSql, type Sql } from './sql/db.ts';
import { createCoalescingDoorbell } from './sql/doorbell.ts';
import { markJobsDone } from './sql/outbox.ts';
import { createOutboxRelay, publishOutboxRows } from './workers/outbox-relay.ts';
import { createDb, type Db } from './sql/transact.ts';
import { sseFanoutQueue } from './queues/sse-fanout.ts';
import { publishDoorbells } from './workers/sse-fanout.ts';
import { selectHostedQueues } from './workers/processors.ts';
import { startVmProvisioner } from './executors/vm/create-provisioner.ts';
import { probeSandbox, sandboxOptions } from './executors/remediation/sandbox.ts';
import { startConsoleReconcile } from './workers/console-reconcile.ts';
import { startStreamRetention } from './workers/stream-retention.ts';
import { startTrustCatchUp } from './workers/trust-catch-up.ts';
import { startRefreshStallSweep } from './workers/refresh-stall-sweep.ts';
import { startWorkerHost } from './workers/worker-host.ts';

export interface Clients {
  config: Config;
  logger: Logger;
  sql: Sql;
  /** `sql` with the after-commit publishers below: what `transact()` runs on. */
  db: Db;
  redis: RedisClient;
  queues: Queues;
  metrics: Metrics;
  /** The console stream's wait for an owner's first projection (http/console/first-projection.ts). */
  consoleProjection: FirstProjection;
  close(): Promise<void>;
}

/** Connects to Postgres first: its database epoch is part of every queue key (sql/database-epoch.ts). */
export async function createClients(config: Config, logger: Logger, name: string, options: { debug?: (connection: number, query: string) => void } = {}): Promise<Clients> {
  const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: name, ...options });
  const redis = createRedis(redisTarget(config), 'queue');
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const queues = createQueues(redis, config.QUEUE_PREFIX, {
    epoch: await databaseEpoch(sql),
    // The id was taken by a job with other data: this job was dropped. Ids are built from our own row ids, so this
    // means a bug or a foreign writer under our prefix; never a routine duplicate.
    onConflict: (conflict) => logger.error(conflict, 'job id already used by a job with different data; this job was not enqueued'),
  });
  const metrics = createMetrics({ queues, sql, defaults: true });
  // transact() appends stream events in the writer's own transaction; after commit the SSE hubs are rung
  // directly over Redis. Only when that publish fails does an sse-fanout job carry the doorbells (retried until
  // Redis answers); a hub that missed a published doorbell while resubscribing reads on 'ready', and every hub's
  // sweep is the last resort. A job per commit used to double every ring and cost a BullMQ job each.
  const db = createDb(sql, {
    outbox: (rows) => publishOutboxRows(queues, rows),
    stream: async (doorbells) => {
      try {
        await publishDoorbells(redis, config.QUEUE_PREFIX, doorbells);
      } catch (error) {
        logger.warn({ err: error }, 'stream doorbell publish failed; handing it to an sse-fanout job');
        await queues.get(sseFanoutQueue).add(sseFanoutQueue.name, sseFanoutQueue.schema.parse({ doorbells }));
      }
    },
    onError: (error) => logger.warn({ err: error }, 'after-commit publish failed'),
  });
  const consoleProjection = createFirstProjection({ sql, queues, redis: redisTarget(config), logger });
  return {
    config,
    logger,
    sql,
    db,
    redis,
    queues,
    metrics,
    consoleProjection,
    async close() {
      await consoleProjection.close();
      await queues.close();
      redis.disconnect();
      await sql.end({ timeout: 5 });
    },
  };
}

/** What an operator opens once the API listens; a wildcard HOST is shown as localhost. */
export function publicUrls(config: Pick<Config, 'HOST' | 'BULL_BOARD_ENABLED'>, port: number): { api: string; docs: string; bull_board?: string } {
  const host = ['0.0.0.0', '::', ''].includes(config.HOST) ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const api = `http://${host}:${port}`;
  return { api, docs: `${api}${DOCS_PATH}`, ...(config.BULL_BOARD_ENABLED ? { bull_board: `${api}${BULL_BOARD_PATH}` } : {}) };
}

export interface Running {
  close(): Promise<void>;
}

export async function startApi(clients: Clients): Promise<Running & { server: Server; port: number }> {
  const { config, logger } = clients;
  const subscriber = createRedis(redisTarget(config), 'subscriber');
  subscriber.on('error', (error) => logger.warn({ err: error }, 'redis subscriber connection error'));
  const hub = await createStreamHub({
    sql: clients.sql,
    subscriber,
    prefix: config.QUEUE_PREFIX,
    logger,
    sweepMs: config.SSE_HEARTBEAT_MS,
    maxBufferedBytes: config.SSE_MAX_BUFFERED_BYTES,
    metrics: createStreamMetrics(clients.metrics.registry),
  });
  const app = createApp({ ...clients, hub });
  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const urls = publicUrls(config, port);
  const board = urls.bull_board ? ` · Bull Board ${urls.bull_board}` : '';
  logger.info({ port }, 'api listening');
  logger.info(urls, `ready: API ${urls.api} · docs ${urls.docs}${board}`);
  return {
    server,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // SSE clients would otherwise hold the server open
      });
      await hub.close();
      subscriber.disconnect();
    },
  };
}

const DONE_LINGER_MS = 100;

export async function startWorkers(clients: Clients, queueNames: string[]): Promise<Running> {
  const { config, logger } = clients;
  // VM_PROVISIONER_DRIVER=libvirt without its native binding aborts startup here, with install instructions.
  const vm = await startVmProvisioner(config, logger, queueNames);
  // Shell and Ansible playbooks never run unsandboxed: a host that fails the probe does not start these workers.
  if (queueNames.length === 0 || queueNames.includes('remediation-execute')) await probeSandbox(sandboxOptions(config), config.REMEDIATION_WORKDIR);
  const hosted = selectHostedQueues(vm ? { ...clients, provisioner: vm.provisioner } : clients, queueNames);
  // Completed jobs mark their outbox rows done, many per UPDATE; a mark lost in a crash is made by the relay's recheck.
  // Held DONE_LINGER_MS: one UPDATE per interval for all the jobs that finished in it.
  const finished = createCoalescingDoorbell(
    (jobs: { queue: string; jobId: string }[]) => markJobsDone(clients.sql, jobs),
    (error) => logger.warn({ err: error }, 'marking finished jobs failed; the relay recheck marks them'),
    { lingerMs: DONE_LINGER_MS },
  );
  const host = startWorkerHost({
    redis: redisTarget(config),
    prefix: clients.queues.keyPrefix,
    // A job BullMQ numbered itself was added directly (sse-fanout doorbells), never from an outbox row.
    onCompleted: (queue, jobId) => (/^\d+$/.test(jobId) ? undefined : finished.ring([{ queue, jobId }])),
    queues: hosted,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    logger,
    durations: clients.metrics.jobDurations,
  });
  const relay = createOutboxRelay({ sql: clients.sql, queues: clients.queues, logger, sweepMs: config.OUTBOX_SWEEP_MS, recheckSeconds: config.OUTBOX_RECHECK_SECONDS });
  await relay.start();
  // Trust reactions lost while workers were down are re-derived from history (workers/trust-catch-up.ts).
  const catchUp = hosted.some((entry) => entry.definition.name === 'trust-transition')
    ? startTrustCatchUp({ sql: clients.sql, queues: clients.queues, logger, sweepMs: config.TRUST_CATCH_UP_SWEEP_MS })
    : undefined;
  const stallSweep = hosted.some((entry) => entry.definition.name === 'scheduler-refresh')
    ? startRefreshStallSweep({ sql: clients.sql, logger, sweepMs: config.EVALUATION_STALL_SWEEP_MS, intervalMs: config.EVALUATION_REFRESH_INTERVAL_MS })
    : undefined;
  const reconcile = hosted.some((entry) => entry.definition.name === 'console-project')
    ? startConsoleReconcile({ sql: clients.sql, queues: clients.queues, logger, sweepMs: config.CONSOLE_RECONCILE_MS })
    : undefined;
  const retention = startStreamRetention({ sql: clients.sql, logger, sweepMs: config.STREAM_RETENTION_SWEEP_MS, retentionDays: config.STREAM_RETENTION_DAYS });
  logger.info({ queues: hosted.map((entry) => entry.definition.name) }, 'workers started');
  return {
    async close() {
      await relay.stop();
      await catchUp?.stop();
      await stallSweep?.stop();
      await reconcile?.stop();
      await retention.stop();
      const { forced } = await host.close(config.SHUTDOWN_TIMEOUT_MS);
      await finished.settled();
      await vm?.close();
      logger.info({ forced }, 'workers stopped');
    },
  };
}

const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;

/**
 * Close `running` in order on the first SIGTERM/SIGINT; a second signal (a second later or more) exits at once.
 * Installed before startup, with `started` settling when startup is over: a signal during startup lets the step in
 * hand finish, then closes whatever `running` holds by then, instead of the default action killing the process
 * with its local services and half-started workers behind it.
 */
export function closeOnSignals(logger: Logger, running: Running[], clients: Pick<Clients, 'close'>, started: Promise<unknown> = Promise.resolve()): void {
  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C under `npm start` can arrive twice (the terminal signals the whole group, npm may relay it):
      // only a signal a moment later is the operator asking again, and that one exits at once.
      if (Date.now() - stoppingSince >= DUPLICATE_SIGNAL_WINDOW_MS) process.exit(1);
      return;
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    void (async () => {
      await started.catch(() => undefined);
      for (const part of running) await part.close();
      await clients.close();
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** What a process's startup has started so far: closed on a signal, `running` in order, then `opened` last first. */
export interface Started {
  running: Running[];
  opened: (() => Promise<void>)[];
}

/**
 * Install the signal handlers, then run `start`: a signal during startup waits for the step in hand, then closes
 * what has started by then (closeOnSignals), instead of meeting the default action.
 */
export async function startUnderSignals(logger: Logger, start: (started: Started) => Promise<void>): Promise<void> {
  const started: Started = { running: [], opened: [] };
  const startup = start(started);
  closeOnSignals(logger, started.running, { close: async () => { for (const close of started.opened.reverse()) await close(); } }, startup);
  await startup;
}
